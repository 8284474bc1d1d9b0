data "aws_caller_identity" "current" {}

locals {
  # EventBridge schedules (UTC) for the enum the form offers: never a free-text expression.
  schedule_expressions = {
    hourly = "rate(1 hour)"
    daily  = "cron(0 2 * * ? *)"
    weekly = "cron(0 2 ? * MON *)"
  }
  log_retention_days = { dev = 30, test = 90, prod = 400 }
  # Every step is logged in every tier; the objects' keys and sizes (execution data) only outside
  # production, where the lake holds the real, confidential data. X-Ray traces in production.
  log_level              = "ALL"
  include_execution_data = var.tier != "prod"
  tracing_enabled        = var.tier == "prod"
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: data lake buckets, pipeline logs and alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsThePipelineLog"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/vendedlogs/states/${var.name}"
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToTheAlarmTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
  tags = merge(var.tags, { Name = var.name })
}

# Step Functions delivers its logs to a group under /aws/vendedlogs/, which keeps the account's
# log resource policy small (AWS's advice for vended logs).
resource "aws_cloudwatch_log_group" "pipeline" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = local.log_retention_days[var.tier]
  kms_key_id        = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-pipeline" })
}
