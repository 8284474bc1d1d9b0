# Monitoring. SageMaker publishes no CloudWatch metric for a training job that fails or is stopped
# (a job's metrics stop with it), so the alarm is an EventBridge rule on SageMaker's own event
# "SageMaker Training Job State Change", for the jobs that run with this environment's role, sent
# to an SNS topic the team subscribes to. A CloudWatch alarm watches that rule: if EventBridge
# cannot deliver to the topic (a key or topic policy broken), the same topic hears it from CloudWatch.
# The topic is encrypted with the pattern's key, whose policy lets EventBridge and CloudWatch use it.

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-alarms" })
}

# Encryption in transit: the topic refuses requests that do not come over TLS. Its policy replaces
# the default one, so who may publish and the account's right to subscribe are written out.
resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "TrainingJobEventsPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.training_job_failed.arn } }
      },
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

resource "aws_cloudwatch_event_rule" "training_job_failed" {
  name        = "${var.name}-training-job-failed"
  description = "A training job of ${var.name} (run with its execution role) failed or was stopped."
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Training Job State Change"]
    detail = {
      TrainingJobStatus = ["Failed", "Stopped"]
      RoleArn           = [aws_iam_role.execution.arn]
    }
  })
  tags = merge(var.tags, { Name = "${var.name}-training-job-failed" })
}

resource "aws_cloudwatch_event_target" "training_job_failed" {
  rule      = aws_cloudwatch_event_rule.training_job_failed.name
  target_id = "alarm-topic"
  arn       = aws_sns_topic.alarms.arn
}

resource "aws_cloudwatch_metric_alarm" "alarm_delivery" {
  alarm_name          = "${var.name}-alarm-delivery"
  alarm_description   = "EventBridge could not deliver a training job alarm to the alarm topic."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.training_job_failed.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching" # no job ended in the period: nothing failed to deliver
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
