output "raw_bucket" {
  description = "Drop raw objects here, under the day's prefix: YYYY-MM-DD/..."
  value       = aws_s3_bucket.raw.bucket
}

output "curated_bucket" {
  description = "The pipeline copies each day's raw objects here, under the same keys."
  value       = aws_s3_bucket.curated.bucket
}

output "state_machine_arn" {
  description = "The pipeline (Step Functions): start a run by hand with StartExecution."
  value       = aws_sfn_state_machine.pipeline.arn
}

output "schedule_expression" {
  description = "When EventBridge starts a run (UTC)."
  value       = aws_cloudwatch_event_rule.schedule.schedule_expression
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.pipeline.name
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
  value       = [aws_cloudwatch_metric_alarm.failed.alarm_name, aws_cloudwatch_metric_alarm.timed_out.alarm_name]
}
