data "aws_caller_identity" "current" {}

resource "aws_kms_key" "this" {
  description             = "${var.name}: database, logs and log bucket"
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
        Sid       = "CloudWatchLogsEncrypts"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
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

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_76:The Log4j rule group (AWSManagedRulesKnownBadInputsRuleSet) is on the web ACL; this check also demands AWSManagedRulesAnonymousIpList, which would block the hosting-provider and VPN addresses that teams' own clients and integrations call from
  #checkov:skip=CKV_AWS_150:Environments are removed only by the portal's reviewed destroy plan (platform approval in prod), which deletion protection would block; the load balancer holds no data and apply rebuilds it
  name               = var.name
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
  # Requests with header names that are not valid HTTP are dropped, not passed to the application.
  drop_invalid_header_fields = true

  access_logs {
    bucket  = aws_s3_bucket.edge_logs.id
    prefix  = "alb"
    enabled = true
  }

  tags       = merge(var.tags, { Name = var.name })
  depends_on = [aws_s3_bucket_policy.edge_logs] # AWS checks that it may write there
}

resource "aws_lb_target_group" "app" {
  name        = "${substr(var.name, 0, 28)}-app" # at most 32 characters, never ending in a hyphen
  port        = var.app_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.this.id

  health_check {
    path    = var.health_check_path
    matcher = "200-399"
  }

  tags = merge(var.tags, { Name = "${var.name}-app" })
}

resource "aws_wafv2_web_acl" "this" {
  name  = var.name
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common-rules"
    priority = 1

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-common"
      sampled_requests_enabled   = true
    }
  }

  # Known bad inputs, including the Log4j JNDI lookups of CVE-2021-44228 (not in the common rule set).
  rule {
    name     = "aws-known-bad-inputs"
    priority = 2

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = merge(var.tags, { Name = var.name })
}

# Encryption in transit: the database refuses connections that do not use TLS. A new major version
# needs a group of its family: created before the old one goes (hence the prefix, not a fixed name).
resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-"
  family      = "postgres${var.database_engine_version}"
  description = "${var.name}: TLS required"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_293:Deletion protection is on in prod (var.tier == "prod"), lifted only by the portal's approved decommission; dev and test databases expire and are destroyed by design
  #checkov:skip=CKV_AWS_157:Multi-AZ is the form's multi_az choice and the parameter policy requires it in production; dev and test run in one zone at half the cost
  #checkov:skip=CKV_AWS_118:Enhanced monitoring needs an IAM monitoring role per environment, each a security review; the CPU, free-storage and connection alarms give the first signals
  identifier                  = var.name
  engine                      = "postgres"
  engine_version              = var.database_engine_version
  instance_class              = var.database_instance_class
  allocated_storage           = var.database_storage_gb
  storage_type                = "gp3"
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.this.arn
  db_name                     = "app"
  username                    = "app_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.this.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  publicly_accessible         = false
  parameter_group_name        = aws_db_parameter_group.this.name
  multi_az                    = var.multi_az
  backup_retention_period     = var.tier == "prod" ? 14 : 1
  # Production databases refuse deletion (by Terraform, the console or the API) until the portal's
  # decommission lifts the protection, which it does only for a reviewed, approved decommission.
  deletion_protection = var.tier == "prod" && !var.decommissioning
  # Hardened defaults: security patches of the minor version applied in the maintenance window,
  # IAM authentication available (short-lived tokens instead of shared passwords), snapshots tagged.
  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  copy_tags_to_snapshot               = true
  apply_immediately                   = var.tier != "prod" # prod waits for the maintenance window
  skip_final_snapshot                 = var.tier != "prod"
  final_snapshot_identifier           = var.tier == "prod" ? "${var.name}-final" : null
  # Compliance logging and monitoring: logs exported to the encrypted groups of database_logs.tf,
  # Performance Insights (7 days, free of charge) encrypted with the environment's key.
  enabled_cloudwatch_logs_exports       = local.database_log_exports
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  tags                                  = merge(var.tags, { Name = var.name })
  depends_on                            = [aws_cloudwatch_log_group.database]
}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This bucket receives logs; server access logs of a log bucket would need yet another log bucket, without end
  #checkov:skip=CKV_AWS_144:Logs expire after 30, 90 or 400 days by tier and the environment lives in one region by design; a replica in a second region doubles the storage for no reader
  #checkov:skip=CKV2_AWS_62:Only AWS log delivery writes here and auditors read on demand; no consumer needs object events
  bucket        = "${var.name}-logs-${data.aws_caller_identity.current.account_id}"
  force_destroy = var.tier != "prod"
  tags          = merge(var.tags, { Name = "${var.name}-logs" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/idp/${var.name}/app"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-app" })
}
