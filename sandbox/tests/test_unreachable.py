"""A sandbox cloud that is not running gives one clear diagnostic, not a traceback."""

import shutil

import pytest

from .conftest import STACK_DIR, Terraform, free_port
from .helpers import failing_plan, init_config

pytestmark = pytest.mark.integration


def test_plan_against_a_stopped_sandbox_cloud_names_the_endpoint(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    shutil.copy(STACK_DIR / "main.tf", tmp_path)
    tf = Terraform(tmp_path, terraform_env)
    tf.write_vars(endpoint=endpoint, bucket_name="unreachable-bucket")
    tf.run("init", "-input=false")

    output = failing_plan(tf)

    assert f"cannot reach the AWS API at {endpoint} — is the sandbox cloud (moto server) running?" in output


def test_an_unreachable_aws_endpoint_url_is_named_with_its_source(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"
    tf = init_config(
        tmp_path,
        {**terraform_env, "AWS_ENDPOINT_URL": endpoint},
        'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_vpc" "x" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    )

    output = failing_plan(tf)

    assert f"cannot reach the AWS API at {endpoint}" in output
    assert "AWS_ENDPOINT_URL" in output
