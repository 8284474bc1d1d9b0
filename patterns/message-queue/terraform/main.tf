data "aws_caller_identity" "current" {}

resource "aws_sns_topic" "events" {
  name              = "${var.name}-events"
  kms_master_key_id = "alias/aws/sns"
  tags              = merge(var.tags, { Name = "${var.name}-events" })
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = merge(var.tags, { Name = "${var.name}-dlq" })
}

resource "aws_sqs_queue" "main" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_days * 86400
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = merge(var.tags, { Name = var.name })
}

# Encryption in transit: every queue and topic refuses requests that do not come over TLS
# (aws:SecureTransport false), whoever sends them.
locals {
  deny_plain_http = {
    Sid       = "DenyWithoutTLS"
    Effect    = "Deny"
    Principal = "*"
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
}

resource "aws_sqs_queue_policy" "main" {
  queue_url = aws_sqs_queue.main.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "TopicDelivers"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.main.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.events.arn } }
      },
      merge(local.deny_plain_http, { Action = "sqs:*", Resource = aws_sqs_queue.main.arn }),
    ]
  })
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [merge(local.deny_plain_http, { Action = "sqs:*", Resource = aws_sqs_queue.dead_letter.arn })]
  })
}

# A topic's policy replaces the default one, which lets the account's principals use it: written
# out here, with the TLS condition added.
resource "aws_sns_topic_policy" "events" {
  arn = aws_sns_topic.events.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountUses"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["sns:Publish", "sns:Subscribe", "sns:Receive", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
        Resource  = aws_sns_topic.events.arn
        Condition = { StringEquals = { "AWS:SourceOwner" = data.aws_caller_identity.current.account_id } }
      },
      merge(local.deny_plain_http, { Action = "sns:*", Resource = aws_sns_topic.events.arn }),
    ]
  })
}

resource "aws_sns_topic_subscription" "main" {
  topic_arn            = aws_sns_topic.events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.main.arn
  raw_message_delivery = var.raw_message_delivery
}
