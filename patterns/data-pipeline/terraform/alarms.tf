# Monitoring: a run that fails or times out raises an alarm, sent to an SNS topic the team
# subscribes to. The topic is encrypted with the pipeline's own key (confidential data: that key is
# reviewed by the security team anyway), whose policy lets CloudWatch publish: CloudWatch cannot
# publish to a topic under the AWS-managed alias/aws/sns key.

locals {
  alarm_actions    = [aws_sns_topic.alarms.arn]
  alarm_dimensions = { StateMachineArn = aws_sfn_state_machine.pipeline.arn }
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

resource "aws_cloudwatch_metric_alarm" "failed" {
  alarm_name          = "${var.name}-runs-failed"
  alarm_description   = "A run of the pipeline failed: see its execution in Step Functions and the log group."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = local.alarm_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching" # no run in the period: nothing failed
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "timed_out" {
  alarm_name          = "${var.name}-runs-timed-out"
  alarm_description   = "A run of the pipeline went on longer than ${var.run_timeout_minutes} minutes and was stopped."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsTimedOut"
  dimensions          = local.alarm_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
