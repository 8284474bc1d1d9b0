# Everything a training job needs (CreateTrainingJob's RoleArn, VpcConfig, OutputDataConfig and
# ResourceConfig.VolumeKmsKeyId), besides the notebook itself.

output "notebook_name" {
  description = "Open it with: aws sagemaker create-presigned-notebook-instance-url --notebook-instance-name <this>."
  value       = aws_sagemaker_notebook_instance.this.name
}

output "notebook_url" {
  value = aws_sagemaker_notebook_instance.this.url
}

output "execution_role_arn" {
  description = "RoleArn of your training jobs (their failures are reported to the alarm topic)."
  value       = aws_iam_role.execution.arn
}

output "subnet_ids" {
  description = "VpcConfig.Subnets of your training jobs."
  value       = aws_subnet.private[*].id
}

output "security_group_id" {
  description = "VpcConfig.SecurityGroupIds of your training jobs."
  value       = aws_security_group.workload.id
}

output "artifacts_bucket" {
  description = "Training data in, checkpoints and models out (S3OutputPath s3://<this>/...)."
  value       = aws_s3_bucket.artifacts.bucket
}

output "kms_key_arn" {
  description = "OutputDataConfig.KmsKeyId and ResourceConfig.VolumeKmsKeyId of your training jobs."
  value       = aws_kms_key.this.arn
}

output "alarm_topic_arn" {
  description = "Subscribe your team here: failed or stopped training jobs and the alarm below notify this topic."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Names of the CloudWatch alarms."
  value       = [aws_cloudwatch_metric_alarm.alarm_delivery.alarm_name]
}

output "training_job_event_rule" {
  description = "The EventBridge rule that reports failed or stopped training jobs to the alarm topic."
  value       = aws_cloudwatch_event_rule.training_job_failed.name
}
