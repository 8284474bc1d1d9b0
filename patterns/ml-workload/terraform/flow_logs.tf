# Compliance logging: every accepted and rejected connection of the VPC, written by VPC Flow Logs to a
# bucket of its own (S3, not CloudWatch Logs: delivery to a log group needs an IAM role of its own).
# Encrypted with the pattern's key, whose policy lets log delivery use it; kept apart from the
# artifacts bucket.
# The bucket is versioned, refuses plain HTTP and expires the logs after 30 days in dev, 90 in test,
# 400 in prod.

locals {
  flow_log_days = { dev = 30, test = 90, prod = 400 }
}

resource "aws_s3_bucket" "flow_logs" {
  #checkov:skip=CKV_AWS_18:This bucket receives logs; server access logs of a log bucket would need yet another log bucket, without end
  #checkov:skip=CKV_AWS_144:Logs expire after 30, 90 or 400 days by tier and the environment lives in one region by design; a replica in a second region doubles the storage for no reader
  #checkov:skip=CKV2_AWS_62:Only AWS log delivery writes here and auditors read on demand; no consumer needs object events
  bucket        = "${var.name}-flow-logs-${data.aws_caller_identity.current.account_id}"
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-flow-logs" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "flow_logs" {
  bucket                  = aws_s3_bucket.flow_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = local.flow_log_days[var.tier]
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LogDeliveryWritesFlowLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.flow_logs.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
        Condition = {
          StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control", "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        }
      },
      {
        Sid       = "LogDeliveryChecksTheBucket"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.flow_logs.arn
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
      {
        Sid       = "RefusePlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.flow_logs.arn, "${aws_s3_bucket.flow_logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.flow_logs]
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn # under AWSLogs/<account>/vpcflowlogs/
  tags                 = merge(var.tags, { Name = "${var.name}-flow-logs" })
  depends_on           = [aws_s3_bucket_policy.flow_logs]
}
