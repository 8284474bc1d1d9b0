"""aws_iam_role, aws_iam_role_policy, aws_cloudwatch_event_rule and aws_cloudwatch_event_target
driven through the real terraform binary against a real moto server: plan JSON shape, apply, no
changes after apply, updates in place, an out-of-band deletion and destroy.
The tests run in file order and share one apply (they are steps of one story).
"""

import json
from pathlib import Path

import pytest

from .helpers import actions, apply_stack, change, failing_plan, init_config, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

SCHEDULING_DIR = Path(__file__).parent / "scheduling"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, SCHEDULING_DIR)


def _targets(aws, rule: str) -> list[dict]:
    return aws("events").list_targets_by_rule(Rule=rule)["Targets"]


def test_plan_shows_the_role_like_the_real_provider(stack):
    role = resource(stack.plan, "aws_iam_role.events")["values"]
    unknown = change(stack.plan, "aws_iam_role.events")["after_unknown"]

    assert role["name"] == "scheduling-test-events"
    assert role["path"] == "/"
    assert role["max_session_duration"] == 3600
    assert role["force_detach_policies"] is False
    assert role["description"] is None and role["permissions_boundary"] is None
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert role["tags_all"] == {"idp:environment": "scheduling-test", "Owner": "team-a"}
    for attr in ("arn", "id", "unique_id", "create_date", "managed_policy_arns", "inline_policy"):
        assert unknown[attr] is True, attr


def test_plan_shows_the_rule_and_target_like_the_real_provider(stack):
    rule = resource(stack.plan, "aws_cloudwatch_event_rule.nightly")["values"]
    target = resource(stack.plan, "aws_cloudwatch_event_target.jobs")["values"]
    policy = resource(stack.plan, "aws_iam_role_policy.events")["values"]

    assert rule["schedule_expression"] == "rate(1 day)"
    assert rule["event_bus_name"] == "default"
    assert rule["force_destroy"] is False
    assert rule["state"] is None and rule["is_enabled"] is None and rule["event_pattern"] is None
    assert target["rule"] == "scheduling-test-nightly" and target["target_id"] == "jobs"
    assert target["retry_policy"] == [{"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}]
    assert target["ecs_target"] == [] and target["dead_letter_config"] == [] and target["input_transformer"] == []
    assert policy["name"] == "send-jobs"
    assert change(stack.plan, "aws_iam_role_policy.events")["after_unknown"]["role"] is True


def test_apply_creates_the_role_with_its_policy(stack, aws):
    iam = aws("iam")
    role = iam.get_role(RoleName="scheduling-test-events")["Role"]
    document = iam.get_role_policy(RoleName="scheduling-test-events", PolicyName="send-jobs")["PolicyDocument"]

    assert role["Arn"] == stack.outputs["role_arn"]
    assert document["Statement"][0]["Action"] == ["sqs:SendMessage"]
    assert document["Statement"][0]["Resource"] == stack.outputs["queue_arn"]
    assert tags_of(iam.list_role_tags(RoleName="scheduling-test-events")["Tags"])["Owner"] == "team-a"


def test_apply_creates_the_schedule_and_its_target(stack, aws):
    rule = aws("events").describe_rule(Name="scheduling-test-nightly")
    targets = _targets(aws, "scheduling-test-nightly")

    assert rule["Arn"] == stack.outputs["rule_arn"]
    assert rule["ScheduleExpression"] == "rate(1 day)"
    assert rule["State"] == "ENABLED"
    assert [t["Id"] for t in targets] == ["jobs"]
    assert targets[0]["Arn"] == stack.outputs["queue_arn"]
    assert targets[0]["RoleArn"] == stack.outputs["role_arn"]
    assert json.loads(targets[0]["Input"]) == {"job": "nightly"}
    assert targets[0]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    assert stack.outputs["target_id"] == "scheduling-test-nightly-jobs"
    tags = aws("events").list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
    assert tags_of(tags) == {"idp:environment": "scheduling-test", "Owner": "team-a"}


def test_plan_right_after_apply_has_no_changes(stack):
    assert no_changes(stack.tf)


def test_schedule_policy_and_tags_are_updated_in_place(stack, aws):
    stack.tf.write_vars(
        endpoint=stack.endpoint,
        schedule="rate(1 hour)",
        owner_tag="team-b",
        actions=["sqs:SendMessage", "sqs:GetQueueAttributes"],
    )

    plan = stack.tf.plan_json()

    assert actions(plan) == {
        "aws_cloudwatch_event_rule.nightly": ["update"],
        "aws_iam_role.events": ["update"],
        "aws_iam_role_policy.events": ["update"],
    }
    stack.tf.apply_saved_plan()
    assert aws("events").describe_rule(Name="scheduling-test-nightly")["ScheduleExpression"] == "rate(1 hour)"
    document = aws("iam").get_role_policy(RoleName="scheduling-test-events", PolicyName="send-jobs")["PolicyDocument"]
    assert sorted(document["Statement"][0]["Action"]) == ["sqs:GetQueueAttributes", "sqs:SendMessage"]
    assert tags_of(aws("iam").list_role_tags(RoleName="scheduling-test-events")["Tags"])["Owner"] == "team-b"
    assert [t["Id"] for t in _targets(aws, "scheduling-test-nightly")] == ["jobs"]
    assert no_changes(stack.tf)


def test_a_target_removed_out_of_band_is_planned_again(stack, aws):
    aws("events").remove_targets(Rule="scheduling-test-nightly", Ids=["jobs"])

    plan = stack.tf.plan_json()

    assert actions(plan) == {"aws_cloudwatch_event_target.jobs": ["create"]}
    stack.tf.apply_saved_plan()
    assert [t["Id"] for t in _targets(aws, "scheduling-test-nightly")] == ["jobs"]


def test_destroy_removes_everything(stack, aws):
    stack.tf.run("destroy", "-input=false", "-auto-approve")

    assert aws("events").list_rules(NamePrefix="scheduling-test")["Rules"] == []
    roles = aws("iam").list_roles()["Roles"]
    assert "scheduling-test-events" not in [r["RoleName"] for r in roles]


def test_invalid_arguments_are_refused_at_plan_time(tmp_path, terraform_env, moto_endpoint):
    tf = init_config(
        tmp_path,
        terraform_env,
        f'provider "aws" {{\n  region = "eu-west-1"\n  endpoints {{\n    events = "{moto_endpoint}"\n'
        f'    iam = "{moto_endpoint}"\n  }}\n}}\n'
        'resource "aws_cloudwatch_event_rule" "bad" {\n  name = "bad"\n  state = "SOMETIMES"\n}\n'
        'resource "aws_iam_role" "bad" {\n  name = "bad"\n  assume_role_policy = "{not json"\n'
        "  max_session_duration = 60\n}\n",
    )

    output = failing_plan(tf)

    assert "one of `event_pattern,schedule_expression` must be specified" in output
    assert "expected state to be one of" in output and "got SOMETIMES" in output
    assert '"assume_role_policy" contains an invalid JSON' in output
    assert "expected max_session_duration to be in the range (3600 - 43200), got 60" in output
