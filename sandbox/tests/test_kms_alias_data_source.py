"""data "aws_kms_alias" driven through the real terraform binary against a real moto server: the
key the platform provides (sandbox/platform_keys.py) found by its alias, with the real provider's
attributes; a missing alias fails the plan with the provider's message."""

import pytest

from sandbox.platform_keys import ALARM_KEY_ALIAS, ensure_sandbox_platform_keys

from .helpers import failing_plan, init_config

pytestmark = pytest.mark.integration


def config(endpoint: str, alias: str) -> str:
    return (
        'provider "aws" {\n  region = "eu-west-1"\n  access_key = "sandbox"\n  secret_key = "sandbox"\n'
        "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n"
        f'  endpoints {{\n    kms = "{endpoint}"\n    sts = "{endpoint}"\n  }}\n}}\n'
        f'data "aws_kms_alias" "platform" {{\n  name = "{alias}"\n}}\n'
        'output "alias" {\n  value = data.aws_kms_alias.platform\n}\n'
    )


def test_the_platform_key_is_found_by_its_alias(tmp_path, terraform_env, moto_endpoint, aws):
    key_arn = ensure_sandbox_platform_keys(moto_endpoint, "eu-west-1")
    assert ensure_sandbox_platform_keys(moto_endpoint, "eu-west-1") == key_arn  # created once
    tf = init_config(tmp_path, terraform_env, config(moto_endpoint, ALARM_KEY_ALIAS))

    tf.plan_json()
    tf.apply_saved_plan()

    found = tf.outputs()["alias"]
    key_id = key_arn.rsplit("/", 1)[1]
    assert found["name"] == ALARM_KEY_ALIAS
    assert found["arn"] == found["id"] and found["arn"].endswith(f":{ALARM_KEY_ALIAS}")
    assert (found["target_key_id"], found["target_key_arn"]) == (key_id, key_arn)
    policy = aws("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    assert "cloudwatch.amazonaws.com" in policy
    assert aws("kms").get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_a_missing_alias_fails_the_plan(tmp_path, terraform_env, moto_endpoint):
    tf = init_config(tmp_path, terraform_env, config(moto_endpoint, "alias/nobody-made-this"))

    output = failing_plan(tf)

    assert "reading KMS Alias (alias/nobody-made-this)" in output
