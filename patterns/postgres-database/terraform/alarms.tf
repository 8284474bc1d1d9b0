# Monitoring: the database alarms a team wants first, sent to an SNS topic the team subscribes to.
# The topic is encrypted with a key of its own: CloudWatch cannot publish to a topic encrypted
# with the AWS-managed alias/aws/sns key (that key's policy cannot grant CloudWatch
# kms:GenerateDataKey), so this key's policy grants CloudWatch exactly that.

data "aws_caller_identity" "current" {}

locals {
  # Roughly 80 % of RDS PostgreSQL's default max_connections (LEAST(memory / 9531392, 5000)).
  alarm_connections = lookup({
    "db.t3.micro"   = 65
    "db.t3.small"   = 145
    "db.t3.medium"  = 320
    "db.m6g.large"  = 650
    "db.r6g.xlarge" = 2700
  }, var.instance_class, 65)
  alarm_cpu_percent = var.tier == "prod" ? 80 : 90
  # Alarm when less than 10 % of the allocated storage is free (FreeStorageSpace is in bytes).
  alarm_free_storage_bytes = floor(var.allocated_storage_gb * 0.1 * 1073741824)
  alarm_actions            = [aws_sns_topic.alarms.arn]
}

resource "aws_kms_key" "alarms" {
  description             = "${var.name}: alarm notifications, flow logs, database logs and Performance Insights"
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
        Sid       = "LogDeliveryEncryptsFlowLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsTheDatabaseLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/rds/instance/${var.name}/*"
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
  tags = merge(var.tags, { Name = "${var.name}-alarms" })
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = merge(var.tags, { Name = "${var.name}-alarms" })
}

# Encryption in transit: the topic refuses requests that do not come over TLS. Its policy replaces
# the default one, so CloudWatch's right to publish and the account's to subscribe are written out.
resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudWatchPublishes"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
      {
        Sid       = "AccountSubscribes"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
        Resource  = aws_sns_topic.alarms.arn
        Condition = { StringEquals = { "AWS:SourceOwner" = data.aws_caller_identity.current.account_id } }
      },
      {
        Sid       = "DenyWithoutTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:*"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-cpu"
  alarm_description   = "Database CPU above ${local.alarm_cpu_percent} % for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.this.identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_cpu_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "free_storage" {
  alarm_name          = "${var.name}-free-storage"
  alarm_description   = "Less than 10 % of the database's ${var.allocated_storage_gb} GiB is free."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.this.identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = local.alarm_free_storage_bytes
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "connections" {
  alarm_name          = "${var.name}-connections"
  alarm_description   = "More than ${local.alarm_connections} connections (about 80 % of what ${var.instance_class} allows) for 10 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.this.identifier }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_connections
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
