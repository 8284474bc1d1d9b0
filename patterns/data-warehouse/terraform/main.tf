data "aws_caller_identity" "current" {}

locals {
  azs = ["${var.region}a", "${var.region}b"]
}

# Isolated network: no internet gateway, no NAT, no public subnets.
resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

# The VPC's default security group allows all traffic between its members and all egress: closed
# here (no rules), so nothing can fall back to it.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = [] # written out (not left out) so that the plan shows the group closed
  egress  = []
  tags    = merge(var.tags, { Name = "${var.name}-default-closed" })
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = local.azs[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-private-${count.index}" })
}

resource "aws_security_group" "warehouse" {
  name        = "${var.name}-warehouse"
  description = "Redshift from inside the VPC only"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "Redshift"
    from_port   = 5439
    to_port     = 5439
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  # COPY and UNLOAD reach S3 through the VPC's gateway endpoint (enhanced VPC routing), nothing else.
  egress {
    description     = "HTTPS to S3 through the gateway endpoint"
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id]
  }

  tags = merge(var.tags, { Name = "${var.name}-warehouse" })
}

# Enhanced VPC routing: the warehouse's COPY and UNLOAD traffic to S3 stays in this VPC, under its
# security group, through a gateway endpoint whose policy admits the data bucket only (an UNLOAD to a
# bucket outside the environment is refused).
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_vpc.this.main_route_table_id]
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DataBucketOnly"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"]
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = { StringEquals = { "aws:PrincipalAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: warehouse, data bucket, alarm topic, flow logs and audit logs"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "LogDeliveryEncryptsFlowLogs"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsTheAuditLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/redshift/cluster/${var.name}/*"
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToTheAlarmTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
  tags = merge(var.tags, { Name = var.name })
}

resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:Data stays in the one approved region the team chose (data residency); a replica in a second region would move it out of that region
  #checkov:skip=CKV2_AWS_62:Nothing in this pattern consumes object events: data is loaded into Redshift by COPY, not by triggers
  #checkov:skip=CKV2_AWS_61:How long lake data is kept is the owning team's retention decision, not the pattern's; versioning keeps deleted objects recoverable
  bucket        = "${var.name}-data-${data.aws_caller_identity.current.account_id}"
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-data" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_redshift_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = merge(var.tags, { Name = var.name })
}

resource "aws_redshift_cluster" "this" {
  #checkov:skip=CKV_AWS_71:Audit logging is on, through aws_redshift_logging.this (audit_logs.tf), the provider's replacement for this resource's deprecated logging block, which is all this check reads
  cluster_identifier        = var.name
  node_type                 = var.node_type
  cluster_type              = var.number_of_nodes > 1 ? "multi-node" : "single-node"
  number_of_nodes           = var.number_of_nodes
  database_name             = var.database_name
  master_username           = "warehouse_admin"
  manage_master_password    = true
  encrypted                 = true
  kms_key_id                = aws_kms_key.this.arn
  publicly_accessible       = false
  enhanced_vpc_routing      = true # COPY and UNLOAD through the VPC's S3 endpoint
  cluster_subnet_group_name = aws_redshift_subnet_group.this.name
  vpc_security_group_ids    = [aws_security_group.warehouse.id]
  skip_final_snapshot       = var.tier != "prod"
  final_snapshot_identifier = var.tier == "prod" ? "${var.name}-final" : null
  tags                      = merge(var.tags, { Name = var.name })
}
