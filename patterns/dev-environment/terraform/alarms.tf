# Monitoring: an alarm when the instance fails its EC2 status checks (the instance or the host
# under it is impaired), sent to an SNS topic the developer subscribes to.
#
# No disk alarm: EC2 does not report how full a disk is; that metric (disk_used_percent) exists
# only once the CloudWatch agent runs on the box, which this pattern does not install. Install the
# agent and add the alarm if you need it; an alarm on a metric nobody sends would never fire.
#
# Encryption of the alarm topic: CloudWatch cannot publish to a topic under the AWS-managed
# alias/aws/sns key, and a customer-managed key created here would send every box to a security
# review (the identity-and-keys approval rule), breaking the promise of a box in minutes without a
# ticket, for a topic that carries alarm names and metric values only. So the topic is encrypted
# with the key the platform team provides in every account and region (alias/idp-platform-alarms,
# whose policy lets CloudWatch publish; the portal creates it in the sandbox cloud).

data "aws_kms_alias" "platform_alarms" {
  name = "alias/idp-platform-alarms"
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = data.aws_kms_alias.platform_alarms.target_key_arn
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

resource "aws_cloudwatch_metric_alarm" "status_check_failed" {
  alarm_name          = "${var.name}-status-check-failed"
  alarm_description   = "The instance or its host failed an EC2 status check for 5 minutes."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.this.id }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

output "alarm_topic_arn" {
  description = "Subscribe here: the alarm notifies this topic."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms."
  value       = [aws_cloudwatch_metric_alarm.status_check_failed.alarm_name]
}
