# The notebook: in a private subnet, no direct internet access, no root for its users, IMDSv2 only,
# its volume encrypted with the pattern's key. No platform_identifier: AWS gives a new notebook its
# current platform (notebook-al2023-v1 since May 2026); hashicorp/aws 5.x, which the portal pins,
# refuses that name at plan time, and the Amazon Linux 2 platforms it accepts are deprecated.
resource "aws_sagemaker_notebook_instance" "this" {
  name                   = var.name
  instance_type          = var.notebook_instance_type
  volume_size            = var.volume_size_gb
  role_arn               = aws_iam_role.execution.arn
  subnet_id              = aws_subnet.private[0].id
  security_groups        = [aws_security_group.workload.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  kms_key_id             = aws_kms_key.this.arn

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }

  tags = merge(var.tags, { Name = var.name })

  # SageMaker reads the bucket with the role's policy: the role must have it before the notebook starts.
  depends_on = [aws_iam_role_policy.execution]
}
