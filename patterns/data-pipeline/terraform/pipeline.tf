# The pipeline: a standard Step Functions workflow that copies the raw objects under the run's date
# prefix (YYYY-MM-DD/: the UTC day of the scheduled event's time, or of the start of a run started
# by hand without one) to the same keys in the curated bucket, a page of
# 500 objects at a time (a page stays well under Step Functions' 256 KB state payload), through Step Functions' AWS SDK integration for S3 (no code to run
# or patch). Teams extend it by adding states (a transformation, a Glue job, a notification) to the
# definition. Copies are idempotent: a run that is repeated copies the same objects again.
# S3 wants the copy source URL-encoded and the definition language cannot encode: keys are expected
# to use letters, digits and / - _ . only.

locals {
  copy_source = "States.Format('${aws_s3_bucket.raw.bucket}/{}', $.Key)"
  s3_retry = [{
    ErrorEquals     = ["S3.SdkClientException", "S3.S3Exception", "States.Timeout"]
    IntervalSeconds = 2
    MaxAttempts     = 3
    BackoffRate     = 2
  }]
  definition = {
    Comment        = "Copies the raw objects of the run's day to the curated bucket"
    TimeoutSeconds = var.run_timeout_minutes * 60
    StartAt        = "RunDay"
    States = {
      RunDay = {
        Type    = "Choice"
        Choices = [{ Variable = "$.time", IsPresent = true, Next = "ListFirstPage" }] # EventBridge's event time
        Default = "StartedByHand"
      }
      StartedByHand = {
        Type       = "Pass"
        Parameters = { "time.$" = "$$.Execution.StartTime" }
        Next       = "ListFirstPage"
      }
      ListFirstPage = {
        Type     = "Task"
        Resource = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
        Parameters = {
          Bucket     = aws_s3_bucket.raw.bucket
          MaxKeys    = 500
          "Prefix.$" = "States.Format('{}/', States.ArrayGetItem(States.StringSplit($.time, 'T'), 0))"
        }
        ResultPath = "$.listing"
        Retry      = local.s3_retry
        Next       = "AnythingToCopy"
      }
      AnythingToCopy = {
        Type    = "Choice"
        Choices = [{ Variable = "$.listing.Contents", IsPresent = true, Next = "CopyPage" }]
        Default = "Done"
      }
      CopyPage = {
        Type           = "Map"
        ItemsPath      = "$.listing.Contents"
        MaxConcurrency = 10
        ItemProcessor = {
          ProcessorConfig = { Mode = "INLINE" }
          StartAt         = "CopyObject"
          States = {
            CopyObject = {
              Type     = "Task"
              Resource = "arn:aws:states:::aws-sdk:s3:copyObject"
              Parameters = {
                Bucket         = aws_s3_bucket.curated.bucket
                "CopySource.$" = local.copy_source
                "Key.$"        = "$.Key"
              }
              Retry = local.s3_retry
              End   = true
            }
          }
        }
        ResultPath = null
        Next       = "MorePages"
      }
      MorePages = {
        Type    = "Choice"
        Choices = [{ Variable = "$.listing.IsTruncated", BooleanEquals = true, Next = "ListNextPage" }]
        Default = "Done"
      }
      ListNextPage = {
        Type     = "Task"
        Resource = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
        Parameters = {
          Bucket                = aws_s3_bucket.raw.bucket
          MaxKeys               = 500
          "Prefix.$"            = "$.listing.Prefix"
          "ContinuationToken.$" = "$.listing.NextContinuationToken"
        }
        ResultPath = "$.listing"
        Retry      = local.s3_retry
        Next       = "AnythingToCopy"
      }
      # The run's output says which day it copied, not the last page of the listing.
      Done = { Type = "Pass", Parameters = { "day.$" = "$.listing.Prefix" }, End = true }
    }
  }
}

# What the workflow may do, and nothing more: list and read the raw bucket, write the curated one,
# use the pipeline's key for both, deliver its logs, and (in prod) send X-Ray traces. The
# log-delivery and X-Ray actions accept no resource but "*" (AWS documentation for Step Functions
# logging and tracing); every data action names the two buckets and the key.
resource "aws_iam_role" "pipeline" {
  name = "${var.name}-pipeline"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
  tags = merge(var.tags, { Name = "${var.name}-pipeline" })
}

resource "aws_iam_role_policy" "pipeline" {
  name = "lake-and-logs"
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListRaw"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = aws_s3_bucket.raw.arn
      },
      {
        Sid      = "ReadRaw"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "${aws_s3_bucket.raw.arn}/*"
      },
      {
        Sid      = "WriteCurated"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.curated.arn}/*"
      },
      {
        Sid      = "UseTheLakeKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.this.arn
      },
      {
        Sid    = "DeliverLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        ]
        Resource = "*"
      },
    ]
  })
}

# X-Ray traces, where the pattern turns tracing on (prod).
resource "aws_iam_role_policy" "tracing" {
  count = local.tracing_enabled ? 1 : 0
  name  = "send-traces"
  role  = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SendTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      Resource = "*"
    }]
  })
}

resource "aws_sfn_state_machine" "pipeline" {
  name       = var.name
  type       = "STANDARD"
  role_arn   = aws_iam_role.pipeline.arn
  definition = jsonencode(local.definition)

  logging_configuration {
    level                  = local.log_level
    include_execution_data = local.include_execution_data
    log_destination        = "${aws_cloudwatch_log_group.pipeline.arn}:*"
  }

  tracing_configuration {
    enabled = local.tracing_enabled
  }

  tags = merge(var.tags, { Name = var.name })
  # The role must be able to deliver logs before Step Functions checks the destination.
  depends_on = [aws_iam_role_policy.pipeline, aws_iam_role_policy.tracing]
}

# The schedule, and the role EventBridge takes to start a run (of this state machine only).
resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name}-schedule"
  description         = "Starts ${var.name} ${var.schedule}"
  schedule_expression = local.schedule_expressions[var.schedule]
  tags                = merge(var.tags, { Name = "${var.name}-schedule" })
}

resource "aws_iam_role" "scheduler" {
  name = "${var.name}-scheduler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
  tags = merge(var.tags, { Name = "${var.name}-scheduler" })
}

resource "aws_iam_role_policy" "scheduler" {
  name = "start-pipeline"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "StartRuns", Effect = "Allow", Action = "states:StartExecution", Resource = aws_sfn_state_machine.pipeline.arn }]
  })
}

resource "aws_cloudwatch_event_target" "pipeline" {
  rule      = aws_cloudwatch_event_rule.schedule.name
  target_id = "pipeline"
  arn       = aws_sfn_state_machine.pipeline.arn
  role_arn  = aws_iam_role.scheduler.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 3
  }
}
