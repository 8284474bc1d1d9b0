"""aws_db_parameter_group and aws_sns_topic_policy driven through the real terraform binary against a
real moto server: plan JSON shape as the real provider's, apply, a parameter changed and one removed in
place, the topic policy replaced and, on destroy, the topic's default policy put back."""

import json

import pytest

from .helpers import actions, change, failing_plan, init_config, no_changes, resource

pytestmark = pytest.mark.integration


def provider(endpoint: str) -> str:
    return (
        'provider "aws" {\n  region = "eu-west-1"\n  access_key = "sandbox"\n  secret_key = "sandbox"\n'
        "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n"
        f'  endpoints {{\n    rds = "{endpoint}"\n    sns = "{endpoint}"\n    sts = "{endpoint}"\n  }}\n}}\n'
    )


def parameter_group(parameters: dict[str, str]) -> str:
    blocks = "".join(f'  parameter {{\n    name  = "{k}"\n    value = "{v}"\n  }}\n' for k, v in parameters.items())
    return (
        'resource "aws_db_parameter_group" "tls" {\n  name = "tls-pg"\n  family = "postgres16"\n'
        f'{blocks}  tags = {{ team = "a" }}\n}}\n'
    )


def user_parameters(aws) -> dict[str, str]:
    found = aws("rds").describe_db_parameters(DBParameterGroupName="tls-pg", Source="user")["Parameters"]
    return {p["ParameterName"]: p["ParameterValue"] for p in found}


def test_parameter_group_is_planned_created_changed_and_destroyed(tmp_path, terraform_env, moto_endpoint, aws):
    tf = init_config(tmp_path, terraform_env, provider(moto_endpoint) + parameter_group({"rds.force_ssl": "1"}))

    plan = tf.plan_json()

    values = resource(plan, "aws_db_parameter_group.tls")["values"]
    assert (values["name"], values["family"], values["description"]) == ("tls-pg", "postgres16", "Managed by Terraform")
    assert values["parameter"] == [{"apply_method": "immediate", "name": "rds.force_ssl", "value": "1"}]
    assert values["skip_destroy"] is False
    assert change(plan, "aws_db_parameter_group.tls")["after_unknown"]["arn"] is True
    tf.apply_saved_plan()
    assert user_parameters(aws) == {"rds.force_ssl": "1"}
    group = aws("rds").describe_db_parameter_groups(DBParameterGroupName="tls-pg")["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "postgres16"
    assert no_changes(tf)

    # a parameter added and one changed: updated in place
    (tmp_path / "main.tf").write_text(
        provider(moto_endpoint) + parameter_group({"rds.force_ssl": "0", "log_min_duration_statement": "500"})
    )
    assert actions(tf.plan_json()) == {"aws_db_parameter_group.tls": ["update"]}
    tf.apply_saved_plan()
    assert user_parameters(aws) == {"rds.force_ssl": "0", "log_min_duration_statement": "500"}
    assert no_changes(tf)

    tf.run("destroy", "-input=false", "-auto-approve")
    names = {g["DBParameterGroupName"] for g in aws("rds").describe_db_parameter_groups()["DBParameterGroups"]}
    assert "tls-pg" not in names


def test_parameter_group_arguments_are_checked_at_plan_time(tmp_path, terraform_env, moto_endpoint):
    config = parameter_group({"rds.force_ssl": "1"}).replace('"tls-pg"', '"Bad--Name"')
    tf = init_config(tmp_path, terraform_env, provider(moto_endpoint) + config)

    output = failing_plan(tf)

    assert 'only lowercase alphanumeric characters and hyphens allowed in "name"' in output


TOPIC = 'resource "aws_sns_topic" "t" {\n  name = "tls-topic"\n}\n'
POLICY = (
    'resource "aws_sns_topic_policy" "t" {\n  arn = aws_sns_topic.t.arn\n  policy = jsonencode({\n'
    '    Version = "2012-10-17"\n    Statement = [{\n      Sid = "DenyWithoutTLS"\n      Effect = "Deny"\n'
    '      Principal = "*"\n      Action = "sns:*"\n      Resource = aws_sns_topic.t.arn\n'
    '      Condition = { Bool = { "aws:SecureTransport" = "false" } }\n    }]\n  })\n}\n'
)


def test_topic_policy_replaces_the_default_and_puts_it_back_on_destroy(tmp_path, terraform_env, moto_endpoint, aws):
    tf = init_config(tmp_path, terraform_env, provider(moto_endpoint) + TOPIC + POLICY)

    plan = tf.plan_json()

    # the policy names the topic, so it is known only once the topic exists
    assert change(plan, "aws_sns_topic_policy.t")["after_unknown"] == dict.fromkeys(
        ["arn", "id", "owner", "policy"], True
    )
    tf.apply_saved_plan()
    arn = json.loads(tf.run("show", "-json").stdout)["values"]["root_module"]["resources"][0]["values"]["arn"]
    policy = json.loads(aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyWithoutTLS"]
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert no_changes(tf)

    (tmp_path / "main.tf").write_text(provider(moto_endpoint) + TOPIC)
    assert actions(tf.plan_json()) == {"aws_sns_topic_policy.t": ["delete"]}
    tf.apply_saved_plan()

    policy = json.loads(aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert policy["Statement"][0]["Condition"]["StringEquals"]["AWS:SourceOwner"] == arn.split(":")[4]
    tf.run("destroy", "-input=false", "-auto-approve")
