# Compliance logging: load-balancer access logs and WAF request logs go to their own bucket
# (ALB access logs can only be written with SSE-S3, and WAF requires an "aws-waf-logs-" name);
# VPC flow logs go to the KMS-encrypted log bucket (network.tf). Both buckets are versioned, refuse
# plain-HTTP access, and expire what they hold after the tier's retention.

locals {
  # Elastic Load Balancing's log-delivery account of each region the pattern offers
  # (AWS documentation, "Enable access logs for your Application Load Balancer").
  elb_log_delivery_account = {
    "us-east-1"    = "127311923021"
    "eu-west-1"    = "156460612806"
    "eu-central-1" = "054676820928"
  }
  # Days the load-balancer, WAF and flow logs are kept, per tier: production keeps 13 months for audits.
  compliance_log_days = { dev = 30, test = 90, prod = 400 }
  account_id          = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket" "edge_logs" {
  #checkov:skip=CKV_AWS_145:Load balancers deliver access logs only to buckets encrypted with SSE-S3 (AES256), not KMS (AWS documentation); the objects are still encrypted at rest
  #checkov:skip=CKV_AWS_18:This bucket receives logs; server access logs of a log bucket would need yet another log bucket, without end
  #checkov:skip=CKV_AWS_144:Logs expire after 30, 90 or 400 days by tier and the environment lives in one region by design; a replica in a second region doubles the storage for no reader
  #checkov:skip=CKV2_AWS_62:Only AWS log delivery writes here and auditors read on demand; no consumer needs object events
  bucket        = "aws-waf-logs-${var.name}-${local.account_id}"
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-edge-logs" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "edge_logs" {
  bucket = aws_s3_bucket.edge_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256" # the only encryption load-balancer access logs support
    }
  }
}

resource "aws_s3_bucket_public_access_block" "edge_logs" {
  bucket                  = aws_s3_bucket.edge_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "edge_logs" {
  bucket = aws_s3_bucket.edge_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "edge_logs" {
  bucket = aws_s3_bucket.edge_logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = local.compliance_log_days[var.tier]
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "edge_logs" {
  bucket = aws_s3_bucket.edge_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LoadBalancerWritesAccessLogs"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${local.elb_log_delivery_account[var.region]}:root" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.edge_logs.arn}/alb/AWSLogs/${local.account_id}/*"
      },
      {
        Sid       = "LogDeliveryWritesWafLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.edge_logs.arn}/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control", "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "LogDeliveryChecksTheBucket"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.edge_logs.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "RefusePlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.edge_logs.arn, "${aws_s3_bucket.edge_logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.edge_logs]
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_s3_bucket.edge_logs.arn]

  # Credentials and session cookies never reach the logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }

  depends_on = [aws_s3_bucket_policy.edge_logs]
}

# The KMS-encrypted log bucket (application logs, VPC flow logs): versioned, HTTPS only, expiring.
resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = local.compliance_log_days[var.tier]
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LogDeliveryWritesFlowLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control", "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "LogDeliveryChecksTheBucket"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.logs.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "RefusePlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.logs]
}
