output "topic_arn" {
  description = "Publish here."
  value       = aws_sns_topic.events.arn
}

output "queue_url" {
  description = "Consume from here."
  value       = aws_sqs_queue.main.id
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letter.id
}

output "alarm_topic_arn" {
  description = "Subscribe your team here: the alarms notify this topic."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms."
  value       = [aws_cloudwatch_metric_alarm.oldest_message.alarm_name, aws_cloudwatch_metric_alarm.dead_letters.alarm_name]
}
