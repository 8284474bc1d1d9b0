output "endpoint" {
  description = "host:port of the database."
  value       = aws_db_instance.this.endpoint
}

output "master_secret_arn" {
  description = "Secrets Manager secret holding the master password."
  value       = try(aws_db_instance.this.master_user_secret[0].secret_arn, null)
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (in alarm and back to OK): subscribe your team's e-mail or chat to it."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms of this database."
  value = [
    aws_cloudwatch_metric_alarm.cpu.alarm_name,
    aws_cloudwatch_metric_alarm.free_storage.alarm_name,
    aws_cloudwatch_metric_alarm.connections.alarm_name,
  ]
}
