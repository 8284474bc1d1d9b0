data "aws_caller_identity" "current" {}

locals {
  azs = ["${var.region}a", "${var.region}b"]
}

# Isolated network: no internet gateway, no NAT, no public subnets. S3 is reached through a gateway
# endpoint (below); nothing else outside the VPC is.
resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

# The VPC's default security group allows all traffic between its members and all egress: closed
# here (no rules), so nothing can fall back to it.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = [] # written out (not left out) so that the plan shows the group closed
  egress  = []
  tags    = merge(var.tags, { Name = "${var.name}-default-closed" })
}

# Two subnets in two zones, so training jobs can spread over both; the notebook runs in the first.
# They use the VPC's main route table, which holds only the local route and the S3 endpoint's.
resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = local.azs[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-private-${count.index}" })
}

# The notebook and the training jobs reach S3 without the internet, and through this endpoint only
# the artifacts bucket, by principals of this account: data cannot be copied out to another bucket.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_vpc.this.main_route_table_id]
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ArtifactsBucketOnly"
        Effect    = "Allow"
        Principal = "*"
        Action    = local.bucket_object_actions
        Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
        Condition = { StringEquals = { "aws:PrincipalAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

# No ingress at all (the notebook's Jupyter is reached through SageMaker's signed URLs, not the VPC);
# egress only to S3, over HTTPS, through the endpoint.
resource "aws_security_group" "workload" {
  name        = "${var.name}-workload"
  description = "Notebook and training jobs: no ingress, HTTPS to S3 only"
  vpc_id      = aws_vpc.this.id
  ingress     = [] # written out (not left out) so that the plan shows no ingress: policies check it

  egress {
    description     = "HTTPS to S3 through the gateway endpoint"
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id]
  }

  tags = merge(var.tags, { Name = "${var.name}-workload" })
}
