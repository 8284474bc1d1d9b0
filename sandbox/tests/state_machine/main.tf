# A Step Functions state machine logging to a log group, running as a role, written as for the
# real hashicorp/aws v5.
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

variable "level" {
  type    = string
  default = "ERROR"
}

variable "tracing" {
  type    = bool
  default = false
}

variable "wait_seconds" {
  type    = number
  default = 1
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"

  endpoints {
    iam            = var.endpoint
    cloudwatchlogs = var.endpoint
    sfn            = var.endpoint
    sts            = var.endpoint
  }

  default_tags {
    tags = {
      "idp:environment" = "sfn-test"
    }
  }
}

resource "aws_iam_role" "machine" {
  name = "sfn-test-machine"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "states.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_cloudwatch_log_group" "machine" {
  name              = "/aws/vendedlogs/states/sfn-test"
  retention_in_days = 30
}

resource "aws_sfn_state_machine" "this" {
  name     = "sfn-test"
  role_arn = aws_iam_role.machine.arn
  definition = jsonencode({
    Comment = "Waits, then succeeds"
    StartAt = "Wait"
    States = {
      Wait = { Type = "Wait", Seconds = var.wait_seconds, Next = "Done" }
      Done = { Type = "Succeed" }
    }
  })

  logging_configuration {
    level                  = var.level
    include_execution_data = false
    log_destination        = "${aws_cloudwatch_log_group.machine.arn}:*"
  }

  tracing_configuration {
    enabled = var.tracing
  }

  tags = { Owner = "team-a" }
}

output "arn" {
  value = aws_sfn_state_machine.this.arn
}

output "log_group_arn" {
  value = aws_cloudwatch_log_group.machine.arn
}
