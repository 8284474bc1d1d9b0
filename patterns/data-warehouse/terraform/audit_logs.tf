# Compliance logging of the warehouse and its data lake:
# - Redshift's connection and user audit logs go to CloudWatch Logs groups encrypted with the
#   warehouse's key and kept per tier (created first: Redshift would otherwise create them itself,
#   unencrypted and kept forever). The user activity log (every query) also needs the cluster
#   parameter enable_user_activity_logging, which this pattern leaves off: query text can hold data.
# - Who read and wrote which object of the data bucket: S3 server access logs, in a bucket of their
#   own (S3 writes access logs only to buckets encrypted with SSE-S3, not KMS), versioned, refusing
#   plain HTTP, expired after the tier's retention like the flow logs while the warehouse lives.

locals {
  audit_log_types = ["connectionlog", "userlog"]
}

resource "aws_cloudwatch_log_group" "audit" {
  for_each          = toset(local.audit_log_types)
  name              = "/aws/redshift/cluster/${var.name}/${each.key}"
  retention_in_days = local.flow_log_days[var.tier]
  kms_key_id        = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_redshift_logging" "this" {
  cluster_identifier   = aws_redshift_cluster.this.cluster_identifier
  log_destination_type = "cloudwatch"
  log_exports          = local.audit_log_types
  depends_on           = [aws_cloudwatch_log_group.audit]
}

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_145:S3 delivers server access logs only to buckets encrypted with SSE-S3 (AES256), not KMS (AWS documentation); the objects are still encrypted at rest
  #checkov:skip=CKV_AWS_144:Logs expire after 30, 90 or 400 days by tier and the environment lives in one region by design; a replica in a second region doubles the storage for no reader
  #checkov:skip=CKV2_AWS_62:Only S3 log delivery writes here and auditors read on demand; no consumer needs object events
  bucket = "${var.name}-access-logs-${data.aws_caller_identity.current.account_id}"
  # Emptied on decommission in every tier: S3 keeps delivering access logs of the data bucket until
  # it is gone (the destroy's own reads among them), so a bucket kept full would block every
  # decommission. A production data bucket with data still refuses deletion on its own.
  force_destroy = true
  tags          = merge(var.tags, { Name = "${var.name}-access-logs" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256" # the only encryption S3 server access logging supports
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

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

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "S3WritesTheDataBucketsAccessLogs"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs.arn}/data/*"
        Condition = {
          ArnLike      = { "aws:SourceArn" = aws_s3_bucket.data.arn }
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        }
      },
      {
        Sid       = "RefusePlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "data/"
  depends_on    = [aws_s3_bucket_policy.access_logs]
}
