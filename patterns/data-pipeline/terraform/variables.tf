variable "name" {
  description = "Unique name of the environment, set by the portal; prefixes every resource name."
  type        = string
}

variable "tier" {
  description = "dev, test or prod; set by the portal."
  type        = string
}

variable "tags" {
  description = "Mandatory tags set by the portal (team, project, cost-centre, environment, expires-on...)."
  type        = map(string)
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "schedule" {
  description = "hourly, daily or weekly: when EventBridge starts the pipeline."
  type        = string
}

variable "raw_retention_days" {
  description = "Days a raw object is kept before it expires."
  type        = number
}

variable "run_timeout_minutes" {
  description = "A run still going after this long is stopped (and raises the timed-out alarm)."
  type        = number
}
