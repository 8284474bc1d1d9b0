output "instance_id" {
  value = aws_instance.this.id
}

output "private_ip" {
  value = aws_instance.this.private_ip
}

output "scratch_bucket" {
  value = aws_s3_bucket.scratch.bucket
}
