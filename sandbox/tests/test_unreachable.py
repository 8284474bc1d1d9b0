"""A sandbox cloud that is not running gives one clear diagnostic, not a traceback."""

import shutil

import pytest

from .conftest import STACK_DIR, Terraform, free_port

pytestmark = pytest.mark.integration


def test_plan_against_a_stopped_sandbox_cloud_names_the_endpoint(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    shutil.copy(STACK_DIR / "main.tf", tmp_path)
    tf = Terraform(tmp_path, terraform_env)
    tf.write_vars(endpoint=endpoint, bucket_name="unreachable-bucket")
    tf.run("init", "-input=false")

    result = tf.run("plan", "-input=false", check=False)

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert f"cannot reach the AWS API at {endpoint} — is the sandbox cloud (moto server) running?" in output
    assert "Traceback" not in output


def test_an_unreachable_aws_endpoint_url_is_named_with_its_source(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_vpc" "x" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    )
    tf = Terraform(tmp_path, {**terraform_env, "AWS_ENDPOINT_URL": endpoint})
    tf.run("init", "-input=false")

    result = tf.run("plan", "-input=false", check=False)

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert f"cannot reach the AWS API at {endpoint}" in output
    assert "AWS_ENDPOINT_URL" in output
