"""aws_sfn_state_machine driven through the real terraform binary against a real moto server:
plan JSON shape, apply, no changes after apply, an update in place, destroy.
The tests run in file order and share one apply (they are steps of one story).
"""

import json
from pathlib import Path

import pytest

from .helpers import actions, apply_stack, change, failing_plan, init_config, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

STATE_MACHINE_DIR = Path(__file__).parent / "state_machine"


@pytest.fixture(scope="module")
def machine(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, STATE_MACHINE_DIR)


def _describe(aws, arn: str) -> dict:
    return aws("stepfunctions").describe_state_machine(stateMachineArn=arn)


def test_plan_shows_the_state_machine_like_the_real_provider(machine):
    values = resource(machine.plan, "aws_sfn_state_machine.this")["values"]
    unknown = change(machine.plan, "aws_sfn_state_machine.this")["after_unknown"]

    assert values["name"] == "sfn-test"
    assert values["type"] == "STANDARD" and values["publish"] is False
    assert values["logging_configuration"][0]["level"] == "ERROR"
    assert values["logging_configuration"][0]["include_execution_data"] is False
    assert values["tracing_configuration"] == [{"enabled": False}]
    assert json.loads(values["definition"])["StartAt"] == "Wait"
    assert values["tags_all"] == {"idp:environment": "sfn-test", "Owner": "team-a"}
    for attr in ("arn", "id", "creation_date", "status", "revision_id", "encryption_configuration"):
        assert unknown[attr] is True, attr
    assert unknown["logging_configuration"] == [{"log_destination": True}]


def test_apply_creates_the_state_machine(machine, aws):
    found = _describe(aws, machine.outputs["arn"])

    assert found["name"] == "sfn-test" and found["type"] == "STANDARD"
    assert found["roleArn"].endswith(":role/sfn-test-machine")
    assert found["loggingConfiguration"]["level"] == "ERROR"
    assert found["loggingConfiguration"]["includeExecutionData"] is False
    destination = found["loggingConfiguration"]["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
    assert destination == machine.outputs["log_group_arn"] + ":*"
    assert found["tracingConfiguration"] == {"enabled": False}
    assert json.loads(found["definition"])["States"]["Wait"]["Seconds"] == 1
    tags = aws("stepfunctions").list_tags_for_resource(resourceArn=machine.outputs["arn"])["tags"]
    assert {t["key"]: t["value"] for t in tags} == tags_of(
        [{"Key": "idp:environment", "Value": "sfn-test"}, {"Key": "Owner", "Value": "team-a"}]
    )


def test_plan_right_after_apply_has_no_changes(machine):
    assert no_changes(machine.tf)


def test_definition_logging_and_tracing_are_updated_in_place(machine, aws):
    machine.tf.write_vars(endpoint=machine.endpoint, level="ALL", tracing=True, wait_seconds=5)

    plan = machine.tf.plan_json()

    assert actions(plan) == {"aws_sfn_state_machine.this": ["update"]}
    machine.tf.apply_saved_plan()
    found = _describe(aws, machine.outputs["arn"])
    assert found["loggingConfiguration"]["level"] == "ALL"
    assert found["tracingConfiguration"] == {"enabled": True}
    assert json.loads(found["definition"])["States"]["Wait"]["Seconds"] == 5
    assert no_changes(machine.tf)


def test_destroy_removes_the_state_machine(machine, aws):
    machine.tf.run("destroy", "-input=false", "-auto-approve")

    assert aws("stepfunctions").list_state_machines()["stateMachines"] == []


def test_invalid_arguments_are_refused_at_plan_time(tmp_path, terraform_env, moto_endpoint):
    tf = init_config(
        tmp_path,
        terraform_env,
        f'provider "aws" {{\n  region = "eu-west-1"\n  endpoints {{\n    sfn = "{moto_endpoint}"\n  }}\n}}\n'
        'resource "aws_sfn_state_machine" "bad" {\n  name = "bad name"\n  type = "QUICK"\n'
        '  role_arn = "arn:aws:iam::123456789012:role/x"\n  definition = "{not json"\n'
        '  logging_configuration {\n    level = "LOUD"\n  }\n}\n',
    )

    output = failing_plan(tf)

    assert "the name should only contain 0-9, A-Z, a-z, - and _" in output
    assert 'expected type to be one of ["STANDARD" "EXPRESS"], got QUICK' in output
    assert "expected level to be one of" in output and "got LOUD" in output
    assert "invalid state machine definition" in output
