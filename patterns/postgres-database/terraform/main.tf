locals {
  azs = ["${var.region}a", "${var.region}b"]
}

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

resource "aws_security_group" "database" {
  name        = "${var.name}-db"
  description = "PostgreSQL from the allowed networks"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "PostgreSQL"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }

  tags = merge(var.tags, { Name = "${var.name}-db" })
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
  family      = "postgres${var.engine_version}"
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
  engine_version              = var.engine_version
  instance_class              = var.instance_class
  allocated_storage           = var.allocated_storage_gb
  storage_type                = "gp3"
  storage_encrypted           = true
  db_name                     = "app"
  username                    = "app_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.this.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  publicly_accessible         = false
  parameter_group_name        = aws_db_parameter_group.this.name
  multi_az                    = var.multi_az
  backup_retention_period     = var.backup_retention_days
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
  performance_insights_kms_key_id       = aws_kms_key.alarms.arn
  performance_insights_retention_period = 7
  tags                                  = merge(var.tags, { Name = var.name })
  depends_on                            = [aws_cloudwatch_log_group.database]
}
