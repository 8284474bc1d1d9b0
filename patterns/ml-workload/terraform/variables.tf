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

variable "vpc_cidr" {
  type = string
}

variable "notebook_instance_type" {
  type = string
}

variable "volume_size_gb" {
  type = number
}
