# Load balancing, WAF and messaging, written as for the real hashicorp/aws v5.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "prefix" {
  type    = string
  default = "edge"
}

variable "owner_tag" {
  type    = string
  default = "team-a"
}

variable "idle_timeout" {
  type    = number
  default = 60
}

variable "health_check_path" {
  type    = string
  default = "/health"
}

variable "visibility_timeout" {
  type    = number
  default = 30
}

variable "raw_message_delivery" {
  type    = bool
  default = true
}

variable "waf_name" {
  type    = string
  default = "edge-acl"
}

variable "rate_limit" {
  type    = number
  default = 2000
}

variable "internal" {
  type    = bool
  default = false
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"

  endpoints {
    ec2   = var.endpoint
    elbv2 = var.endpoint
    wafv2 = var.endpoint
    sqs   = var.endpoint
    sns   = var.endpoint
    sts   = var.endpoint
  }

  default_tags {
    tags = {
      "idp:environment" = "edge-test"
    }
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_subnet" "public" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.30.0.0/16", 8, count.index)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_security_group" "alb" {
  name        = "${var.prefix}-alb"
  description = "HTTP from the internet"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "web" {
  name               = "${var.prefix}-alb"
  internal           = var.internal
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
  idle_timeout       = var.idle_timeout
  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_lb_target_group" "app" {
  name        = "${var.prefix}-app"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    path    = var.health_check_path
    matcher = "200-399"
  }

  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_lb_listener" "redirect" {
  load_balancer_arn = aws_lb.web.arn
  port              = 8081

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_wafv2_web_acl" "web" {
  name        = var.waf_name
  description = "edge protection"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common-rules"
    priority = 1

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit"
    priority = 2

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit = var.rate_limit
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = false
      metric_name                = "rate"
      sampled_requests_enabled   = false
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "edge"
    sampled_requests_enabled   = true
  }

  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.web.arn
}

resource "aws_sns_topic" "events" {
  name              = "${var.prefix}-events"
  kms_master_key_id = "alias/aws/sns"
  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.prefix}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = "alias/aws/sqs"
}

resource "aws_sqs_queue" "main" {
  name                       = "${var.prefix}-main"
  visibility_timeout_seconds = var.visibility_timeout
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = 5
  })
  tags = {
    Owner = var.owner_tag
  }
}

resource "aws_sqs_queue_policy" "main" {
  queue_url = aws_sqs_queue.main.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TopicDelivers"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.main.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.events.arn } }
    }]
  })
}

resource "aws_sns_topic_subscription" "main" {
  topic_arn            = aws_sns_topic.events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.main.arn
  raw_message_delivery = var.raw_message_delivery
  filter_policy = jsonencode({
    kind = ["order"]
  })
}

output "lb_arn" {
  value = aws_lb.web.arn
}

output "lb_dns_name" {
  value = aws_lb.web.dns_name
}

output "target_group_arn" {
  value = aws_lb_target_group.app.arn
}

output "listener_arn" {
  value = aws_lb_listener.http.arn
}

output "web_acl_arn" {
  value = aws_wafv2_web_acl.web.arn
}

output "topic_arn" {
  value = aws_sns_topic.events.arn
}

output "queue_url" {
  value = aws_sqs_queue.main.id
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letter.url
}

output "subscription_arn" {
  value = aws_sns_topic_subscription.main.arn
}
