"""The plan policies judge a sandbox plan as they judge the real provider's plan of the same configuration.

`nyaras_tf112_aws448_ec2_vpc_open_ssh.json` in governance/policies/tests/real_plans is a plan the real
hashicorp/aws provider (4.48) wrote for a VPC, a subnet, an internet gateway and route table, a
security group with SSH open to the world and an untagged t2.micro. The configuration below is
the same (less the IAM role and the default route, which the sandbox does not implement); the
sandbox plans it, and both plans must get the same verdicts on the resources they share.
"""

import json
from pathlib import Path

from governance.policy import evaluate

from .helpers import init_config

REAL_PLAN = (
    Path(__file__).resolve().parents[2]
    / "governance/policies/tests/real_plans/nyaras_tf112_aws448_ec2_vpc_open_ssh.json"
)
SAME_CONFIGURATION = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "endpoint" { type = string }

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "sandbox"
  secret_key                  = "sandbox"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
  }
}

data "aws_region" "current" {}

data "aws_ami" "amazon_linux" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["amzn2-ami-kernel-5.10-hvm-2.0.*-x86_64-gp2"]
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.1.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.1.1.0/24"
  map_public_ip_on_launch = true
  availability_zone       = "${data.aws_region.current.name}a"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "public" {
  route_table_id = aws_route_table.public.id
  subnet_id      = aws_subnet.public.id
}

resource "aws_security_group" "main" {
  name        = "main"
  description = "Control EC2 inbound and outbound access"
  vpc_id      = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "main" {
  ami                    = data.aws_ami.amazon_linux.id
  instance_type          = "t2.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.main.id]
}
"""


def verdicts(plan: dict, tier: str) -> set[tuple[str, str]]:
    return {(r["policy"], r["resource"]) for r in evaluate("plan", {"request": {"tier": tier}, "plan": plan})}


def test_the_sandbox_plan_gets_the_real_plans_verdicts(tmp_path, terraform_env, moto_endpoint):
    # given the real provider's plan and the sandbox's plan of the same configuration
    real = json.loads(REAL_PLAN.read_text())
    tf = init_config(tmp_path, terraform_env, SAME_CONFIGURATION)
    tf.write_vars(endpoint=moto_endpoint)
    sandbox = tf.plan_json()
    shared = {rc["address"] for rc in sandbox["resource_changes"]} | {"provider.aws"}

    for tier in ("dev", "prod"):
        # when both are judged, then they get the same verdicts on what they share
        expected = {v for v in verdicts(real, tier) if v[1] in shared}
        assert verdicts(sandbox, tier) == expected
        assert ("plan-no-open-ingress", "aws_security_group.main") in expected
        assert ("plan-mandatory-tags", "aws_instance.main") in expected
