# Monitoring: the queue alarms a team wants first, sent to an SNS topic the team subscribes to.
#
# Encryption of the alarm topic: CloudWatch cannot publish to a topic under the AWS-managed
# alias/aws/sns key, and a customer-managed key created here would send every request of this
# pattern to a security review (the identity-and-keys approval rule), breaking its promise of a
# queue in minutes without a ticket, for a topic that carries alarm names and metric values only.
# So the topic is encrypted with the key the platform team provides in every account and region
# (alias/idp-platform-alarms, whose policy lets CloudWatch publish; the portal creates it in the
# sandbox cloud). The pattern reads that key; it creates none.

data "aws_kms_alias" "platform_alarms" {
  name = "alias/idp-platform-alarms"
}

locals {
  # A message older than this has waited too long: a consumer is down or too slow.
  alarm_oldest_message_seconds = var.tier == "prod" ? 300 : 900
  alarm_actions                = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = data.aws_kms_alias.platform_alarms.target_key_arn
  tags              = merge(var.tags, { Name = "${var.name}-alarms" })
}

# CloudWatch publishes to the topic (a policy replaces the default one, so this is said), over TLS only.
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
      merge(local.deny_plain_http, { Action = "sns:*", Resource = aws_sns_topic.alarms.arn }),
    ]
  })
}

resource "aws_cloudwatch_metric_alarm" "oldest_message" {
  alarm_name          = "${var.name}-oldest-message"
  alarm_description   = "The oldest message in the queue has waited more than ${local.alarm_oldest_message_seconds} seconds."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.main.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarm_oldest_message_seconds
  treat_missing_data  = "notBreaching" # SQS sends no datapoints for an idle queue
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name}-dead-letters"
  alarm_description   = "Messages are waiting in the dead-letter queue: they failed ${var.max_receive_count} times."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
