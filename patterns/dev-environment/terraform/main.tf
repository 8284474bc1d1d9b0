data "aws_caller_identity" "current" {}

data "aws_ami" "os" {
  most_recent = true
  owners      = [local.ami_owner[var.operating_system]]

  filter {
    name   = "name"
    values = [local.ami_name[var.operating_system]]
  }
}

locals {
  ami_owner = {
    "amazon-linux-2023" = "amazon"
    "ubuntu-22.04"      = "099720109477"
  }
  ami_name = {
    "amazon-linux-2023" = "al2023-ami-2023.*-x86_64"
    "ubuntu-22.04"      = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
  }
}

resource "aws_vpc" "this" {
  cidr_block           = "10.90.0.0/24"
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

resource "aws_subnet" "this" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = "10.90.0.0/26"
  availability_zone = "${var.region}a"
  tags              = merge(var.tags, { Name = var.name })
}

resource "aws_security_group" "instance" {
  name        = "${var.name}-instance"
  description = "SSH from one named network"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_allowed_cidr]
  }

  egress {
    description = "HTTPS out, for package updates"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(var.tags, { Name = "${var.name}-instance" })
}

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_126:Detailed one-minute monitoring costs about $2 a month per box; five-minute metrics and the status-check alarms serve a development box
  #checkov:skip=CKV_AWS_135:The instance types offered (t3.micro, t3.small, t3.medium) are EBS-optimized by default at no cost; the setting matters only for older families
  #checkov:skip=CKV2_AWS_41:No instance profile by design: an IAM role per development box would be a security review per box; what the box needs from AWS the developer does with their own credentials
  ami                    = data.aws_ami.os.id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.this.id
  vpc_security_group_ids = [aws_security_group.instance.id]

  root_block_device {
    volume_size           = var.volume_size_gb
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  metadata_options {
    http_tokens   = "required"
    http_endpoint = "enabled"
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_s3_bucket" "scratch" {
  #checkov:skip=CKV_AWS_144:A development scratch bucket, emptied and deleted with the box at its expiry; a replica in a second region would protect nothing worth its cost
  #checkov:skip=CKV_AWS_145:Internal scratch data, encrypted at rest with SSE-S3; a customer-managed key would send every development box to security review
  #checkov:skip=CKV_AWS_18:A development scratch bucket deleted with the box; access logs would need a second bucket in every development environment
  #checkov:skip=CKV_AWS_21:Scratch data, deleted with the box (force_destroy); keeping old versions would keep what the developer meant to delete
  #checkov:skip=CKV2_AWS_61:The bucket is emptied and deleted with the environment at its expiry (at most 14 days in dev), which is its lifecycle
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events from a developer's scratch bucket
  bucket        = "${var.name}-scratch-${data.aws_caller_identity.current.account_id}"
  force_destroy = true
  tags          = merge(var.tags, { Name = "${var.name}-scratch" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "scratch" {
  bucket = aws_s3_bucket.scratch.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "scratch" {
  bucket                  = aws_s3_bucket.scratch.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
