# Compliance logging: the PostgreSQL log and the upgrade log are exported to CloudWatch Logs,
# encrypted with the environment's key and kept per tier. The groups are created before the
# database: RDS would otherwise create them itself, unencrypted and kept forever.

locals {
  # Confidential data: production logs are kept 13 months, beyond a yearly audit cycle.
  database_log_days    = { dev = 30, test = 90, prod = 400 }
  database_log_exports = ["postgresql", "upgrade"]
}

resource "aws_cloudwatch_log_group" "database" {
  for_each          = toset(local.database_log_exports)
  name              = "/aws/rds/instance/${var.name}/${each.key}"
  retention_in_days = local.database_log_days[var.tier]
  kms_key_id        = aws_kms_key.alarms.arn
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
