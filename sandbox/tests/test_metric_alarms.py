"""aws_cloudwatch_metric_alarm driven through the real terraform binary against a real moto
server: plan JSON shape, apply, an in-place update, a replacement on rename and destroy.
The tests run in file order and share one apply (they are steps of one story).
"""

from pathlib import Path

import pytest

from .helpers import actions, apply_stack, change, failing_plan, init_config, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

ALARMS_DIR = Path(__file__).parent / "alarms"


@pytest.fixture(scope="module")
def alarms(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, ALARMS_DIR)


def _alarm(aws, name: str) -> dict | None:
    found = aws("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return found[0] if found else None


def test_plan_shows_the_alarm_like_the_real_provider(alarms):
    alarm = resource(alarms.plan, "aws_cloudwatch_metric_alarm.cpu")["values"]
    unknown = change(alarms.plan, "aws_cloudwatch_metric_alarm.cpu")["after_unknown"]

    assert alarm["alarm_name"] == "alarms-db-cpu"
    assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert alarm["evaluation_periods"] == 3
    assert alarm["metric_name"] == "CPUUtilization"
    assert alarm["namespace"] == "AWS/RDS"
    assert alarm["period"] == 300
    assert alarm["statistic"] == "Average"
    assert alarm["threshold"] == 80
    assert alarm["dimensions"] == {"DBInstanceIdentifier": "alarms-db"}
    assert alarm["treat_missing_data"] == "notBreaching"
    assert alarm["actions_enabled"] is True
    assert alarm["tags_all"] == {"idp:environment": "alarms-test", "Owner": "team-a"}
    assert unknown["arn"] is True and unknown["id"] is True
    assert unknown["alarm_actions"] is True  # wholly unknown until the topic exists, as SDKv2 plans a set


def test_apply_creates_the_alarm_with_the_topic_as_action(alarms, aws):
    alarm = _alarm(aws, "alarms-db-cpu")

    assert alarm is not None
    assert alarm["AlarmArn"] == alarms.outputs["alarm_arn"]
    assert alarm["AlarmActions"] == [alarms.outputs["topic_arn"]]
    assert alarm["OKActions"] == [alarms.outputs["topic_arn"]]
    assert alarm["Threshold"] == 80.0
    assert alarm["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "alarms-db"}]
    assert alarm["TreatMissingData"] == "notBreaching"
    tags = aws("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert tags_of(tags) == {"idp:environment": "alarms-test", "Owner": "team-a"}


def test_plan_right_after_apply_has_no_changes(alarms):
    assert no_changes(alarms.tf)


def test_threshold_and_tags_are_updated_in_place(alarms, aws):
    alarms.tf.write_vars(endpoint=alarms.endpoint, threshold=90, owner_tag="team-b")

    plan = alarms.tf.plan_json()

    assert actions(plan) == {"aws_cloudwatch_metric_alarm.cpu": ["update"]}
    alarms.tf.apply_saved_plan()
    alarm = _alarm(aws, "alarms-db-cpu")
    assert alarm["Threshold"] == 90.0
    assert alarm["AlarmDescription"] == "Database CPU above 90%"
    assert alarm["AlarmActions"] == [alarms.outputs["topic_arn"]]
    tags = aws("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert tags_of(tags)["Owner"] == "team-b"
    assert no_changes(alarms.tf)


def test_renaming_the_alarm_replaces_it(alarms, aws):
    alarms.tf.write_vars(endpoint=alarms.endpoint, threshold=90, owner_tag="team-b", alarm_name="alarms-db-cpu-v2")

    plan = alarms.tf.plan_json()

    assert actions(plan) == {"aws_cloudwatch_metric_alarm.cpu": ["delete", "create"]}
    alarms.tf.apply_saved_plan()
    assert _alarm(aws, "alarms-db-cpu") is None
    assert _alarm(aws, "alarms-db-cpu-v2")["Threshold"] == 90.0


def test_an_alarm_deleted_out_of_band_is_planned_again(alarms, aws):
    aws("cloudwatch").delete_alarms(AlarmNames=["alarms-db-cpu-v2"])

    plan = alarms.tf.plan_json()

    assert actions(plan) == {"aws_cloudwatch_metric_alarm.cpu": ["create"]}
    alarms.tf.apply_saved_plan()
    assert _alarm(aws, "alarms-db-cpu-v2") is not None


def test_destroy_removes_the_alarm(alarms, aws):
    alarms.tf.run("destroy", "-input=false", "-auto-approve")

    assert _alarm(aws, "alarms-db-cpu-v2") is None


def test_invalid_arguments_are_refused_at_plan_time(tmp_path, terraform_env, moto_endpoint):
    tf = init_config(
        tmp_path,
        terraform_env,
        f'provider "aws" {{\n  region = "eu-west-1"\n  endpoints {{\n    cloudwatch = "{moto_endpoint}"\n  }}\n}}\n'
        'resource "aws_cloudwatch_metric_alarm" "bad" {\n  alarm_name = "bad"\n'
        '  comparison_operator = "Bigger"\n  evaluation_periods = 1\n  metric_name = "CPUUtilization"\n'
        '  namespace = "AWS/RDS"\n  period = 60\n  statistic = "Mean"\n  threshold = 1\n}\n',
    )

    output = failing_plan(tf)

    assert "expected comparison_operator to be one of" in output and "got Bigger" in output
    assert "expected statistic to be one of" in output and "got Mean" in output
