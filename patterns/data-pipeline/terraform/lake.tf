# The encrypted data lake: a raw bucket where producers drop objects under a date prefix
# (YYYY-MM-DD/...) and a curated bucket the pipeline writes to. Both are encrypted with the
# pipeline's key, versioned, closed to every kind of public access, refuse plain HTTP and have a
# lifecycle: raw objects expire after raw_retention_days; curated objects are the team's to keep,
# only their old versions expire.

locals {
  buckets = {
    raw     = "${var.name}-raw-${data.aws_caller_identity.current.account_id}"
    curated = "${var.name}-curated-${data.aws_caller_identity.current.account_id}"
  }
}

resource "aws_s3_bucket" "raw" {
  #checkov:skip=CKV_AWS_144:Data stays in the one approved region the team chose (data residency); a replica in a second region would move it out of that region
  #checkov:skip=CKV2_AWS_62:The pipeline runs on a schedule (EventBridge), not on object events; nothing consumes them
  bucket        = local.buckets.raw
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-raw" })
}

resource "aws_s3_bucket" "curated" {
  #checkov:skip=CKV_AWS_144:Data stays in the one approved region the team chose (data residency); a replica in a second region would move it out of that region
  #checkov:skip=CKV2_AWS_62:The pipeline runs on a schedule (EventBridge), not on object events; nothing consumes them
  bucket        = local.buckets.curated
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-curated" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "curated" {
  bucket = aws_s3_bucket.curated.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "raw" {
  bucket                  = aws_s3_bucket.raw.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "curated" {
  bucket                  = aws_s3_bucket.curated.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "raw" {
  bucket = aws_s3_bucket.raw.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "curated" {
  bucket = aws_s3_bucket.curated.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id

  rule {
    id     = "expire-raw-objects"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = var.raw_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "curated" {
  bucket = aws_s3_bucket.curated.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {
      prefix = ""
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# Encryption in transit: both buckets refuse requests that do not come over TLS, whoever sends them.
resource "aws_s3_bucket_policy" "raw" {
  bucket = aws_s3_bucket.raw.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RefusePlainHttp"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.raw.arn, "${aws_s3_bucket.raw.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.raw]
}

resource "aws_s3_bucket_policy" "curated" {
  bucket = aws_s3_bucket.curated.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RefusePlainHttp"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.curated.arn, "${aws_s3_bucket.curated.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.curated]
}
