# Compliance logging: who read and wrote which object of the lake, beyond the pipeline's own steps
# (producers dropping raw files, analysts reading curated ones). S3 server access logs of both lake
# buckets go to a bucket of their own: S3 writes access logs only to buckets encrypted with SSE-S3,
# not KMS. Versioned, refusing plain HTTP, expired after the tier's log retention while the
# pipeline lives; emptied on decommission in every tier (S3 keeps delivering to it until the lake
# buckets are gone, so a bucket kept full would block every decommission).

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_145:S3 delivers server access logs only to buckets encrypted with SSE-S3 (AES256), not KMS (AWS documentation); the objects are still encrypted at rest
  #checkov:skip=CKV_AWS_144:Logs expire after 30, 90 or 400 days by tier and the pipeline lives in one region by design; a replica in a second region doubles the storage for no reader
  #checkov:skip=CKV2_AWS_62:Only S3 log delivery writes here and auditors read on demand; no consumer needs object events
  bucket        = "${var.name}-access-logs-${data.aws_caller_identity.current.account_id}"
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
      days = local.log_retention_days[var.tier]
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
        Sid       = "S3WritesTheLakesAccessLogs"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs.arn}/*"
        Condition = {
          ArnLike      = { "aws:SourceArn" = [aws_s3_bucket.raw.arn, aws_s3_bucket.curated.arn] }
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

resource "aws_s3_bucket_logging" "raw" {
  bucket        = aws_s3_bucket.raw.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "raw/"
  depends_on    = [aws_s3_bucket_policy.access_logs]
}

resource "aws_s3_bucket_logging" "curated" {
  bucket        = aws_s3_bucket.curated.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "curated/"
  depends_on    = [aws_s3_bucket_policy.access_logs]
}
