locals {
  azs = ["${var.region}a", "${var.region}b"]
}

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

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${var.name}-public-${count.index}" })
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  availability_zone = local.azs[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-private-${count.index}" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "alb" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a 301 redirect to HTTPS (aws_lb_listener.http), so that addresses typed without https:// still arrive
  name        = "${var.name}-alb"
  description = "Internet to the load balancer: HTTP and HTTPS only"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "HTTPS from the internet"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTP from the internet, redirected to HTTPS by the application"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "To the application targets in the VPC"
    from_port   = var.app_port
    to_port     = var.app_port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_security_group" "database" {
  name        = "${var.name}-db"
  description = "PostgreSQL from the allowed networks"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "PostgreSQL"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = var.database_ingress_cidrs
  }

  tags = merge(var.tags, { Name = "${var.name}-db" })
}

# Compliance logging: every accepted and rejected connection of the VPC, to the encrypted log bucket.
resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.logs.arn # under AWSLogs/<account>/vpcflowlogs/
  tags                 = merge(var.tags, { Name = "${var.name}-flow-logs" })
  depends_on           = [aws_s3_bucket_policy.logs]
}
