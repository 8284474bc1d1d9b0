# Every data-service resource of the sandbox provider (RDS, Redshift, KMS, CloudWatch Logs),
# written as for the real hashicorp/aws v5. No secretsmanager endpoint: managed master
# passwords must work with the services' own endpoints, as on AWS.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "name" {
  type    = string
  default = "sbx-data"
}

variable "db_identifier" {
  type    = string
  default = "sbx-data"
}

variable "instance_class" {
  type    = string
  default = "db.t3.micro"
}

variable "allocated_storage" {
  type    = number
  default = 20
}

variable "db_name" {
  type    = string
  default = "app"
}

variable "node_type" {
  type    = string
  default = "dc2.large"
}

variable "number_of_nodes" {
  type    = number
  default = 1
}

variable "retention_in_days" {
  type    = number
  default = 14
}

variable "key_description" {
  type    = string
  default = "sandbox data key"
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"

  endpoints {
    ec2      = var.endpoint
    kms      = var.endpoint
    logs     = var.endpoint
    rds      = var.endpoint
    redshift = var.endpoint
    sts      = var.endpoint
  }

  default_tags {
    tags = {
      "idp:environment" = "data-test"
      "idp:team"        = "platform"
    }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_vpc" "this" {
  cidr_block           = "10.50.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet("10.50.0.0/16", 4, count.index)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_security_group" "data" {
  name        = "${var.name}-data"
  description = "databases"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "PostgreSQL"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.50.0.0/16"]
  }
}

resource "aws_kms_key" "data" {
  description             = var.key_description
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = { Name = var.name }
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/idp/${var.name}/app"
  retention_in_days = var.retention_in_days
  kms_key_id        = aws_kms_key.data.arn
  tags              = { Name = var.name }
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = { Name = var.name }
}

resource "aws_db_instance" "this" {
  identifier                  = var.db_identifier
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = var.instance_class
  allocated_storage           = var.allocated_storage
  storage_type                = "gp3"
  storage_encrypted           = true
  db_name                     = var.db_name
  username                    = "app_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.this.name
  vpc_security_group_ids      = [aws_security_group.data.id]
  publicly_accessible         = false
  multi_az                    = false
  backup_retention_period     = 7
  deletion_protection         = false
  apply_immediately           = true
  skip_final_snapshot         = true
  tags                        = { Name = var.name, Owner = "team-a" }
}

resource "aws_redshift_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = { Name = var.name }
}

resource "aws_redshift_cluster" "this" {
  cluster_identifier        = var.name
  node_type                 = var.node_type
  cluster_type              = var.number_of_nodes > 1 ? "multi-node" : "single-node"
  number_of_nodes           = var.number_of_nodes
  database_name             = "analytics"
  master_username           = "warehouse_admin"
  manage_master_password    = true
  encrypted                 = true
  kms_key_id                = aws_kms_key.data.arn
  publicly_accessible       = false
  cluster_subnet_group_name = aws_redshift_subnet_group.this.name
  vpc_security_group_ids    = [aws_security_group.data.id]
  skip_final_snapshot       = true
  tags                      = { Name = var.name }
}

output "db_endpoint" {
  value = aws_db_instance.this.endpoint
}

output "db_address" {
  value = aws_db_instance.this.address
}

output "db_secret_arn" {
  value = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "warehouse_endpoint" {
  value = aws_redshift_cluster.this.endpoint
}

output "warehouse_secret_arn" {
  value = aws_redshift_cluster.this.master_password_secret_arn
}

output "key_arn" {
  value = aws_kms_key.data.arn
}

output "key_id" {
  value = aws_kms_key.data.key_id
}
