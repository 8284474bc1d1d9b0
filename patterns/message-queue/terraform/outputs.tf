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
