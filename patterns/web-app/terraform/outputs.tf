output "url" {
  description = "Public address of the load balancer."
  value       = "http://${aws_lb.this.dns_name}"
}

output "target_group_arn" {
  description = "Register your application's tasks or instances here."
  value       = aws_lb_target_group.app.arn
}

output "database_endpoint" {
  description = "host:port of the PostgreSQL database."
  value       = aws_db_instance.this.endpoint
}

output "database_secret_arn" {
  description = "Secrets Manager secret holding the database master password."
  value       = try(aws_db_instance.this.master_user_secret[0].secret_arn, null)
}

output "log_bucket" {
  value = aws_s3_bucket.logs.bucket
}

output "log_group" {
  value = aws_cloudwatch_log_group.app.name
}
