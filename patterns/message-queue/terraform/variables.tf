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

variable "visibility_timeout_seconds" {
  type = number
}

variable "message_retention_days" {
  type = number
}

variable "max_receive_count" {
  type = number
}

variable "raw_message_delivery" {
  type    = bool
  default = true
}
