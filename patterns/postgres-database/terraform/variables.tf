variable "name" {
  description = "Unique name of the environment, set by the portal; prefixes every resource name."
  type        = string
}

variable "tier" {
  description = "dev, test or prod; set by the portal."
  type        = string
}

variable "decommissioning" {
  description = "Set by the portal, only to lift deletion protection before an approved decommission."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Mandatory tags set by the portal (team, project, cost-centre, environment, expires-on...)."
  type        = map(string)
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "vpc_cidr" {
  type = string
}

variable "engine_version" {
  type = string
}

variable "instance_class" {
  type = string
}

variable "allocated_storage_gb" {
  type = number
}

variable "multi_az" {
  type    = bool
  default = false
}

variable "backup_retention_days" {
  type = number
}

variable "allowed_cidrs" {
  type = list(string)
}
