output "warehouse_endpoint" {
  description = "host:port of the Redshift cluster (reachable from inside the VPC)."
  value       = aws_redshift_cluster.this.endpoint
}

output "data_bucket" {
  value = aws_s3_bucket.data.bucket
}

output "kms_key_arn" {
  value = aws_kms_key.this.arn
}

output "alarm_topic_arn" {
  description = "Subscribe your team here: the alarms notify this topic."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms."
  value = [
    aws_cloudwatch_metric_alarm.cpu.alarm_name,
    aws_cloudwatch_metric_alarm.disk_used.alarm_name,
    aws_cloudwatch_metric_alarm.health.alarm_name,
  ]
}
