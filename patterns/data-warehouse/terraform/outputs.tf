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
