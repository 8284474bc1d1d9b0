# A metric alarm sent to an encrypted SNS topic, written as for the real hashicorp/aws v5.
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

variable "threshold" {
  type    = number
  default = 80
}

variable "owner_tag" {
  type    = string
  default = "team-a"
}

variable "alarm_name" {
  type    = string
  default = "alarms-db-cpu"
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"

  endpoints {
    cloudwatch = var.endpoint
    sns        = var.endpoint
    sts        = var.endpoint
  }

  default_tags {
    tags = {
      "idp:environment" = "alarms-test"
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name              = "alarms-test-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = var.alarm_name
  alarm_description   = "Database CPU above ${var.threshold}%"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "CPUUtilization"
  namespace           = "AWS/RDS"
  period              = 300
  statistic           = "Average"
  threshold           = var.threshold
  treat_missing_data  = "notBreaching"
  dimensions          = { DBInstanceIdentifier = "alarms-db" }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = { Owner = var.owner_tag }
}

output "alarm_arn" {
  value = aws_cloudwatch_metric_alarm.cpu.arn
}

output "topic_arn" {
  value = aws_sns_topic.alarms.arn
}
