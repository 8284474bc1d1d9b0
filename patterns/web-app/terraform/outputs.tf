output "url" {
  description = "Public address of the load balancer (HTTPS; plain HTTP is redirected here)."
  value       = "https://${aws_lb.this.dns_name}"
}

output "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  value       = aws_acm_certificate.this.arn
}

output "domain_name" {
  description = "Name the certificate is issued for; point it (CNAME or alias) at the load balancer."
  value       = aws_acm_certificate.this.domain_name
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
  description = "KMS-encrypted bucket for application logs; VPC flow logs are under AWSLogs/."
  value       = aws_s3_bucket.logs.bucket
}

output "edge_log_bucket" {
  description = "Load-balancer access logs (alb/) and WAF request logs (AWSLogs/)."
  value       = aws_s3_bucket.edge_logs.bucket
}

output "log_group" {
  value = aws_cloudwatch_log_group.app.name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (in alarm and back to OK): subscribe your team's e-mail or chat to it."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms of this environment."
  value = [
    aws_cloudwatch_metric_alarm.alb_5xx.alarm_name,
    aws_cloudwatch_metric_alarm.target_5xx.alarm_name,
    aws_cloudwatch_metric_alarm.unhealthy_targets.alarm_name,
    aws_cloudwatch_metric_alarm.database_cpu.alarm_name,
    aws_cloudwatch_metric_alarm.database_free_storage.alarm_name,
    aws_cloudwatch_metric_alarm.database_connections.alarm_name,
  ]
}
