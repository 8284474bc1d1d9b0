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
  description = "IPv4 range of the VPC."
  type        = string
}

variable "app_port" {
  description = "Port the application listens on."
  type        = number
}

variable "health_check_path" {
  description = "Path polled by the load balancer health check."
  type        = string
}

variable "database_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "database_storage_gb" {
  description = "Allocated database storage in GiB."
  type        = number
}

variable "database_engine_version" {
  description = "PostgreSQL major version."
  type        = string
}

variable "database_ingress_cidrs" {
  description = "CIDR ranges allowed to reach the database on 5432."
  type        = list(string)
}

variable "multi_az" {
  description = "Run a standby database in a second availability zone."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the application log group."
  type        = number
}

variable "domain_name" {
  description = "Domain name the application is served under (certificate subject); empty: <name>.idp.internal."
  type        = string
  default     = ""
}

variable "dns_zone_id" {
  description = "Route 53 hosted zone holding domain_name; given, the certificate is validated by DNS in it."
  type        = string
  default     = ""
}
