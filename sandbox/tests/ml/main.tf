# The machine-learning resources of the sandbox provider (SageMaker notebook instance, VPC
# endpoint), written as for the real hashicorp/aws v5. moto does not check that the role exists.
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

variable "instance_type" {
  type    = string
  default = "ml.t3.medium"
}

variable "volume_size" {
  type    = number
  default = 10
}

variable "owner" {
  type    = string
  default = "team-a"
}

variable "endpoint_tables" {
  type    = number
  default = 1
}

provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  endpoints {
    ec2       = var.endpoint
    kms       = var.endpoint
    sagemaker = var.endpoint
    sts       = var.endpoint
  }
  default_tags {
    tags = { "idp:environment" = "ml-test" }
  }
}

resource "aws_vpc" "this" {
  cidr_block = "10.60.0.0/16"
}

resource "aws_subnet" "this" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = "10.60.0.0/20"
  availability_zone = "eu-west-1a"
}

resource "aws_route_table" "extra" {
  vpc_id = aws_vpc.this.id
}

resource "aws_security_group" "this" {
  name   = "sbx-ml"
  vpc_id = aws_vpc.this.id
}

resource "aws_kms_key" "this" {
  description = "sbx-ml"
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id          = aws_vpc.this.id
  service_name    = "com.amazonaws.eu-west-1.s3"
  route_table_ids = slice([aws_vpc.this.main_route_table_id, aws_route_table.extra.id], 0, var.endpoint_tables)
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::sbx-ml/*" }]
  })
  tags = { Name = "sbx-ml-s3", Owner = var.owner }
}

resource "aws_sagemaker_notebook_instance" "this" {
  name                   = "sbx-ml"
  instance_type          = var.instance_type
  volume_size            = var.volume_size
  role_arn               = "arn:aws:iam::123456789012:role/sbx-ml"
  subnet_id              = aws_subnet.this.id
  security_groups        = [aws_security_group.this.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  kms_key_id             = aws_kms_key.this.arn

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }

  tags = { Name = "sbx-ml", Owner = var.owner }
}

resource "aws_sagemaker_notebook_instance" "defaults" {
  name                = "sbx-ml-defaults"
  instance_type       = "ml.t3.medium"
  role_arn            = "arn:aws:iam::123456789012:role/sbx-ml"
  platform_identifier = "notebook-al2-v2" # accepted by hashicorp/aws 5.80, as written
}

output "endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}

output "prefix_list_id" {
  value = aws_vpc_endpoint.s3.prefix_list_id
}

output "notebook_arn" {
  value = aws_sagemaker_notebook_instance.this.arn
}

output "route_table_ids" {
  value = [aws_vpc.this.main_route_table_id, aws_route_table.extra.id]
}
