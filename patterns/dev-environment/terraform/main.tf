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
