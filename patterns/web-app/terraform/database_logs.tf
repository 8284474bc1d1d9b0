# Compliance logging: the database's PostgreSQL log and upgrade log are exported to CloudWatch
# Logs, encrypted with the environment's key and kept as long as the application's logs. The
# groups are created before the database: RDS would otherwise create them itself, unencrypted
# and kept forever.

locals {
  database_log_exports = ["postgresql", "upgrade"]
}

resource "aws_cloudwatch_log_group" "database" {
  for_each          = toset(local.database_log_exports)
  name              = "/aws/rds/instance/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
