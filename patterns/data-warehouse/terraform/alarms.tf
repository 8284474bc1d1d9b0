# Monitoring: the warehouse alarms a team wants first, sent to an SNS topic the team subscribes to.
# The topic is encrypted with the warehouse's own key (restricted data: that key is reviewed by the
# security team anyway), whose policy lets CloudWatch publish: CloudWatch cannot publish to a topic
# under the AWS-managed alias/aws/sns key.

locals {
  alarm_cpu_percent = var.tier == "prod" ? 80 : 90
  alarm_actions     = [aws_sns_topic.alarms.arn]
  alarm_dimensions  = { ClusterIdentifier = aws_redshift_cluster.this.cluster_identifier }
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
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
  alarm_description   = "Warehouse CPU above ${local.alarm_cpu_percent} % for 15 minutes."
  namespace           = "AWS/Redshift"
  metric_name         = "CPUUtilization"
  dimensions          = local.alarm_dimensions
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

resource "aws_cloudwatch_metric_alarm" "disk_used" {
  alarm_name          = "${var.name}-disk-used"
  alarm_description   = "More than 80 % of the warehouse's disk space is used."
  namespace           = "AWS/Redshift"
  metric_name         = "PercentageDiskSpaceUsed"
  dimensions          = local.alarm_dimensions
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "health" {
  alarm_name          = "${var.name}-health"
  alarm_description   = "The warehouse failed Redshift's health check (HealthStatus 0) for 10 minutes."
  namespace           = "AWS/Redshift"
  metric_name         = "HealthStatus"
  dimensions          = local.alarm_dimensions
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "missing" # a paused cluster reports nothing: not an alarm
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
