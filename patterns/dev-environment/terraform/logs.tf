# Since 1.1.0: a log group for the box's own logs (ship them with the CloudWatch agent), kept for the
# retention chosen. CloudWatch Logs encrypts it at rest with its service key, enough for this pattern's
# internal data (the encryption policy asks a customer-managed key only of confidential data).

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts the group at rest with its service key, enough for this pattern's internal data; a key of its own would send every development box to security review
  name              = "/idp/${var.name}/box"
  retention_in_days = var.log_retention_days
  tags              = merge(var.tags, { Name = "${var.name}-box" })
}

variable "log_retention_days" {
  type = number
}

output "log_group" {
  value = aws_cloudwatch_log_group.this.name
}
