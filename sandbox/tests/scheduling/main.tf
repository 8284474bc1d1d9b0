# An IAM role with an inline policy, and an EventBridge schedule that sends a message to a queue
# through that role, written as for the real hashicorp/aws v5.
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

variable "schedule" {
  type    = string
  default = "rate(1 day)"
}

variable "owner_tag" {
  type    = string
  default = "team-a"
}

variable "actions" {
  type    = list(string)
  default = ["sqs:SendMessage"]
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"

  endpoints {
    events = var.endpoint
    iam    = var.endpoint
    sqs    = var.endpoint
    sts    = var.endpoint
  }

  default_tags {
    tags = {
      "idp:environment" = "scheduling-test"
    }
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "scheduling-test-jobs"
}

resource "aws_iam_role" "events" {
  name = "scheduling-test-events"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = { Owner = var.owner_tag }
}

resource "aws_iam_role_policy" "events" {
  name = "send-jobs"
  role = aws_iam_role.events.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = aws_sqs_queue.jobs.arn }]
  })
}

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "scheduling-test-nightly"
  description         = "Sends the nightly job"
  schedule_expression = var.schedule
  tags                = { Owner = var.owner_tag }
}

resource "aws_cloudwatch_event_target" "jobs" {
  rule      = aws_cloudwatch_event_rule.nightly.name
  target_id = "jobs"
  arn       = aws_sqs_queue.jobs.arn
  role_arn  = aws_iam_role.events.arn
  input     = jsonencode({ job = "nightly" })

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 3
  }
}

output "role_arn" {
  value = aws_iam_role.events.arn
}

output "rule_arn" {
  value = aws_cloudwatch_event_rule.nightly.arn
}

output "queue_arn" {
  value = aws_sqs_queue.jobs.arn
}

output "target_id" {
  value = aws_cloudwatch_event_target.jobs.id
}
