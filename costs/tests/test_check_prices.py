"""`check_prices`: every shipped pattern is priced for everything it can create; a copy with an
unpriced size, resource type or remote module is refused with the file and the reason."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def run(*options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_prices", *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*options: str) -> tuple[str, str]:
    """The command's error and what it wrote to stderr."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_prices", *options, stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


@pytest.fixture
def dev_environment(tmp_path) -> Path:
    """A copy of the shipped development environment, alone in a patterns folder."""
    folder = tmp_path / "patterns" / "dev-environment"
    shutil.copytree(Path(settings.PATTERNS_DIR) / "dev-environment", folder)
    return folder


def test_the_shipped_patterns_are_priced_for_every_size_and_region():
    out, err = run()

    assert out.endswith(" quotes: all they can create is priced.\n")
    assert err == ""


def test_a_size_the_price_file_lacks_fails_in_every_region(dev_environment):
    # given a pattern that offers an instance size with no price
    yaml_path = dev_environment / "pattern.yaml"
    offered = '        - {const: t3.medium, title: "t3.medium — 2 vCPU, 4 GiB"}\n'
    assert offered in yaml_path.read_text()
    yaml_path.write_text(
        yaml_path.read_text().replace(offered, offered + '        - {const: m7g.large, title: "m7g.large — 2 vCPU"}\n')
    )

    # when
    message, err = run_failing("--patterns", str(dev_environment.parent))

    # then each region is named, with the value and the missing price
    assert message == "3 way(s) a shipped pattern could create something unpriced."
    assert err.splitlines() == [
        f"error: {yaml_path}: aws_instance #1 instance (m7g.large) with instance_type=m7g.large, volume_size_gb=20 "
        f"in {region}: no price for ec2_instance_hour.m7g.large in {region}"
        for region in ("eu-west-1", "eu-central-1", "us-east-1")
    ]


def test_a_resource_type_without_a_price_fails(dev_environment):
    # given a module that also creates an EKS cluster, which the estimator cannot price
    main = dev_environment / "terraform" / "main.tf"
    main.write_text(
        main.read_text() + '\nresource "aws_eks_cluster" "extra" {\n  name     = var.name\n  role_arn = "x"\n}\n'
    )

    # when
    _message, err = run_failing("--patterns", str(dev_environment.parent))

    # then
    assert err == (
        f'error: {main}: resource "aws_eks_cluster" "extra" has no price: add a pricer to costs/estimate.py '
        "(PRICERS), or add the type to FREE if AWS does not bill for it\n"
    )


def test_a_module_from_outside_the_pattern_fails(dev_environment):
    main = dev_environment / "terraform" / "main.tf"
    main.write_text(main.read_text() + '\nmodule "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n')

    _message, err = run_failing("--patterns", str(dev_environment.parent))

    assert 'module "vpc" comes from "terraform-aws-modules/vpc/aws"' in err
