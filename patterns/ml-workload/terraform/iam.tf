# The execution role of the notebook and of the team's training jobs: SageMaker assumes it, on behalf
# of this account only. It may use the artifacts bucket and the pattern's key, put its ENIs in this
# VPC, and write its own logs and metrics; nothing else (no other bucket, no SageMaker API, no IAM).

locals {
  vpc_arn    = "arn:aws:ec2:${var.region}:${data.aws_caller_identity.current.account_id}:vpc/${aws_vpc.this.id}"
  log_groups = "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/sagemaker/*"
}

resource "aws_iam_role" "execution" {
  name        = "${var.name}-sagemaker-execution"
  description = "SageMaker notebook and training jobs of ${var.name}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "SageMakerOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "sagemaker.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
  tags = merge(var.tags, { Name = "${var.name}-sagemaker-execution" })
}

resource "aws_iam_role_policy" "execution" {
  name = "least-privilege"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ArtifactsBucket"
        Effect   = "Allow"
        Action   = local.bucket_object_actions
        Resource = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
      },
      {
        Sid      = "PatternKey"
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource = aws_kms_key.this.arn
      },
      {
        # Training jobs encrypt their ML volumes with the key through a grant to the EC2 service.
        Sid       = "PatternKeyGrantsForVolumes"
        Effect    = "Allow"
        Action    = "kms:CreateGrant"
        Resource  = aws_kms_key.this.arn
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        # A job in a VPC places network interfaces there; only in this VPC.
        Sid       = "NetworkInterfacesInThisVpc"
        Effect    = "Allow"
        Action    = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
        Resource  = "*"
        Condition = { ArnEquals = { "ec2:Vpc" = local.vpc_arn } }
      },
      {
        # Describe calls have no resource-level permissions in EC2: "*" is the only resource they take.
        Sid      = "DescribeTheNetwork"
        Effect   = "Allow"
        Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]
        Resource = "*"
      },
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [local.log_groups, "${local.log_groups}:log-stream:*"]
      },
      {
        Sid       = "OwnMetrics"
        Effect    = "Allow"
        Action    = "cloudwatch:PutMetricData"
        Resource  = "*"
        Condition = { StringLike = { "cloudwatch:namespace" = "/aws/sagemaker/*" } }
      },
    ]
  })
}
