"""Acceptance: the data-pipeline pattern run end to end through terraform against the sandbox cloud
exactly as the portal runs it (root module and tfvars from provisioning.terraform.workspace, the
parameters' defaults from pattern.yaml): plan, apply, re-plan (no changes), destroy, in dev and in
prod, where logging and tracing differ.
"""

import contextlib
import json
import time
import urllib.request
from types import SimpleNamespace

import pytest

from .helpers import folded_output, no_changes, pattern_workspace, planned
from .test_patterns_edge import portal_tags

pytestmark = pytest.mark.integration

SLUG = "data-pipeline"
PIPELINE = "module.pattern.aws_sfn_state_machine.pipeline"


def _statements(policy: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def moto_runs_workflows(endpoint: str, on: bool) -> None:
    """moto stores state machines; asked to, it also runs them, with its own Step Functions interpreter
    (which keeps its own state machines: switched on before the pattern is applied)."""
    body = json.dumps({"stepfunctions": {"execute_state_machine": on}}).encode()
    request = urllib.request.Request(f"{endpoint}/moto-api/config", data=body, method="POST")
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture(scope="module", params=["dev", "prod"])
def pipeline(request, tmp_path_factory, terraform_env, moto_endpoint):
    tier = request.param
    name = f"acc-dp-{tier}"
    tags = {**portal_tags(SLUG, name), "environment": tier}
    moto_runs_workflows(moto_endpoint, True)
    tf, spec, _ = pattern_workspace(tmp_path_factory.mktemp(name), terraform_env, moto_endpoint, SLUG, name, tier, tags)
    plan = tf.plan_json()
    tf.apply_saved_plan()
    yield SimpleNamespace(tf=tf, plan=plan, outputs=tf.outputs(), spec=spec, name=name, tier=tier)
    moto_runs_workflows(moto_endpoint, False)


def test_plan_shows_a_logged_state_machine_on_a_chosen_schedule(pipeline):
    machine = planned(pipeline.plan, PIPELINE)
    rule = planned(pipeline.plan, "module.pattern.aws_cloudwatch_event_rule.schedule")
    group = planned(pipeline.plan, "module.pattern.aws_cloudwatch_log_group.pipeline")
    prod = pipeline.tier == "prod"

    assert machine["type"] == "STANDARD"
    assert machine["logging_configuration"][0]["level"] == "ALL"
    assert machine["logging_configuration"][0]["include_execution_data"] is (not prod)
    assert machine["tracing_configuration"] == [{"enabled": prod}]
    assert json.loads(machine["definition"])["TimeoutSeconds"] == 3600
    assert rule["schedule_expression"] == "cron(0 2 * * ? *)"  # the default: daily
    assert group["retention_in_days"] == (400 if prod else 30)
    assert machine["tags_all"] == {**pipeline.spec.default_tags, "Name": pipeline.name}


def test_apply_builds_an_encrypted_lake_that_refuses_plain_http(pipeline, aws):
    s3 = aws("s3")
    key = pipeline.outputs["kms_key_arn"]

    for bucket in (pipeline.outputs["raw_bucket"], pipeline.outputs["curated_bucket"]):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
        deny = _statements(s3.get_bucket_policy(Bucket=bucket)["Policy"])["RefusePlainHttp"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    raw_rules = s3.get_bucket_lifecycle_configuration(Bucket=pipeline.outputs["raw_bucket"])["Rules"]
    assert raw_rules[0]["Expiration"] == {"Days": 30}
    curated_rules = s3.get_bucket_lifecycle_configuration(Bucket=pipeline.outputs["curated_bucket"])["Rules"]
    assert "Expiration" not in curated_rules[0]
    assert curated_rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert aws("kms").get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    # who read and wrote what: both buckets' access logs, in a log bucket of their own
    for bucket, prefix in ((pipeline.outputs["raw_bucket"], "raw/"), (pipeline.outputs["curated_bucket"], "curated/")):
        logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
        assert logging["TargetPrefix"] == prefix
        assert logging["TargetBucket"] == f"{pipeline.name}-access-logs-123456789012"
    [expire] = s3.get_bucket_lifecycle_configuration(Bucket=logging["TargetBucket"])["Rules"]
    assert expire["Expiration"] == {"Days": 400 if pipeline.tier == "prod" else 30}


def test_apply_schedules_the_workflow_through_a_role_that_may_only_start_it(pipeline, aws):
    arn = pipeline.outputs["state_machine_arn"]
    rule = aws("events").describe_rule(Name=f"{pipeline.name}-schedule")
    targets = aws("events").list_targets_by_rule(Rule=f"{pipeline.name}-schedule")["Targets"]
    iam = aws("iam")

    assert rule["ScheduleExpression"] == pipeline.outputs["schedule_expression"] == "cron(0 2 * * ? *)"
    assert rule["State"] == "ENABLED"
    assert [(t["Id"], t["Arn"]) for t in targets] == [("pipeline", arn)]
    scheduler = targets[0]["RoleArn"].rsplit("/", 1)[-1]
    trust = iam.get_role(RoleName=scheduler)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    policy = iam.get_role_policy(RoleName=scheduler, PolicyName="start-pipeline")["PolicyDocument"]
    assert policy["Statement"] == [
        {"Sid": "StartRuns", "Effect": "Allow", "Action": "states:StartExecution", "Resource": arn}
    ]


def test_apply_runs_the_workflow_as_a_role_limited_to_the_lake(pipeline, aws):
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=pipeline.outputs["state_machine_arn"])
    role = machine["roleArn"].rsplit("/", 1)[-1]
    policy = aws("iam").get_role_policy(RoleName=role, PolicyName="lake-and-logs")["PolicyDocument"]
    statements = {s["Sid"]: s for s in policy["Statement"]}
    raw, curated = (f"arn:aws:s3:::{pipeline.outputs[b]}" for b in ("raw_bucket", "curated_bucket"))
    prod = pipeline.tier == "prod"

    assert statements["ListRaw"]["Resource"] == raw and statements["ReadRaw"]["Resource"] == f"{raw}/*"
    assert statements["WriteCurated"] == {"Sid": "WriteCurated", "Effect": "Allow", "Action": "s3:PutObject",
                                          "Resource": f"{curated}/*"}  # fmt: skip
    assert statements["UseTheLakeKey"]["Resource"] == pipeline.outputs["kms_key_arn"]
    tracing = sorted(aws("iam").list_role_policies(RoleName=role)["PolicyNames"])
    assert tracing == (["lake-and-logs", "send-traces"] if prod else ["lake-and-logs"])
    # The definition copies from the raw to the curated bucket through the S3 integration.
    definition = json.loads(machine["definition"])
    copy = definition["States"]["CopyPage"]["ItemProcessor"]["States"]["CopyObject"]
    assert copy["Resource"] == "arn:aws:states:::aws-sdk:s3:copyObject"
    assert copy["Parameters"]["Bucket"] == pipeline.outputs["curated_bucket"]
    assert definition["States"]["ListFirstPage"]["Parameters"]["Bucket"] == pipeline.outputs["raw_bucket"]
    logging = machine["loggingConfiguration"]
    assert logging["level"] == "ALL" and logging["includeExecutionData"] is (not prod)
    group = aws("logs").describe_log_groups(logGroupNamePrefix=pipeline.outputs["log_group_name"])["logGroups"][0]
    assert logging["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"].startswith(
        group["arn"].removesuffix(":*")
    )
    assert group["kmsKeyId"] == pipeline.outputs["kms_key_arn"]
    assert machine["tracingConfiguration"] == {"enabled": prod}


def test_failed_and_timed_out_runs_raise_alarms_to_a_topic_under_the_pipeline_key(pipeline, aws):
    outputs = pipeline.outputs

    alarms = aws("cloudwatch").describe_alarms(AlarmNames=outputs["alarms"])["MetricAlarms"]

    assert {a["MetricName"] for a in alarms} == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for alarm in alarms:
        assert alarm["Namespace"] == "AWS/States"
        assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": outputs["state_machine_arn"]}]
        assert alarm["AlarmActions"] == alarm["OKActions"] == [outputs["alarm_topic_arn"]]
    topic = aws("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == outputs["kms_key_arn"]
    assert _statements(topic["Policy"])["DenyWithoutTLS"]["Effect"] == "Deny"


def test_replan_has_no_changes(pipeline):
    assert no_changes(pipeline.tf)


@contextlib.contextmanager
def tls_policies_lifted(s3, *buckets: str):
    """moto evaluates a bucket policy's Deny without its Condition: the lake's TLS-only policies would
    refuse every object request of the sandbox (plain HTTP). Lifted for the run, put back after."""
    saved = {bucket: s3.get_bucket_policy(Bucket=bucket)["Policy"] for bucket in buckets}
    for bucket in buckets:
        s3.delete_bucket_policy(Bucket=bucket)
    try:
        yield
    finally:
        for bucket, policy in saved.items():
            s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def _run(aws, machine_arn: str, name: str, event_time: str) -> dict:
    """Start a run as the schedule does (EventBridge's event as input) and wait for its end."""
    sfn = aws("stepfunctions")
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": event_time, "detail": {}}
    execution = sfn.start_execution(stateMachineArn=machine_arn, name=name, input=json.dumps(event))["executionArn"]
    deadline = time.monotonic() + 60
    while (found := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the run did not end within 60 s"
        time.sleep(0.5)
    return found


def test_a_run_copies_the_days_raw_objects_to_the_curated_bucket(pipeline, aws):
    s3 = aws("s3")
    raw, curated = pipeline.outputs["raw_bucket"], pipeline.outputs["curated_bucket"]
    with tls_policies_lifted(s3, raw, curated):
        # given 501 objects under the day's prefix (two pages of the listing) and one of another day
        keys = [f"2030-01-15/orders/part-{i:04d}.csv" for i in range(501)]
        for key in keys:
            s3.put_object(Bucket=raw, Key=key, Body=b"id,amount\n1,10\n")
        s3.put_object(Bucket=raw, Key="2030-01-14/orders/late.csv", Body=b"id\n")

        # when the schedule starts a run on that day
        run = _run(aws, pipeline.outputs["state_machine_arn"], "scheduled-2030-01-15", "2030-01-15T02:00:00Z")

        # then the day's objects, and only they, are in the curated bucket, encrypted with the pipeline's key
        assert (run["status"], json.loads(run["output"])) == ("SUCCEEDED", {"day": "2030-01-15/"})
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=curated)
        assert sorted(o["Key"] for page in pages for o in page.get("Contents", [])) == keys
        copied = s3.head_object(Bucket=curated, Key=keys[0])
        assert (copied["ServerSideEncryption"], copied["SSEKMSKeyId"]) == ("aws:kms", pipeline.outputs["kms_key_arn"])
        # a day without raw objects is a run that copies nothing, not a failure
        empty = _run(aws, pipeline.outputs["state_machine_arn"], "scheduled-2030-01-16", "2030-01-16T02:00:00Z")
        assert (empty["status"], json.loads(empty["output"])) == ("SUCCEEDED", {"day": "2030-01-16/"})


def _empty(s3, bucket: str) -> None:
    """Delete every version and delete marker of a versioned bucket."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
        if versions:
            objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def test_destroy_removes_everything_but_a_production_lake_with_data_in_it(pipeline, aws):
    lake = [pipeline.outputs["raw_bucket"], pipeline.outputs["curated_bucket"]]
    if pipeline.tier == "prod":
        # the production lake holds the copied objects: destroying it with them is refused
        output = folded_output(pipeline.tf.run("destroy", "-input=false", "-auto-approve", check=False))
        assert "BucketNotEmpty" in output
        assert set(lake) <= {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
        for bucket in lake:  # what a team does to retire it: empty it first
            _empty(aws("s3"), bucket)

    pipeline.tf.run("destroy", "-input=false", "-auto-approve")

    machines = aws("stepfunctions").list_state_machines()["stateMachines"]
    assert pipeline.outputs["state_machine_arn"] not in {m["stateMachineArn"] for m in machines}
    assert aws("events").list_rules(NamePrefix=pipeline.name)["Rules"] == []
    buckets = {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert not set(lake) & buckets
    assert f"{pipeline.name}-access-logs-123456789012" not in buckets
    roles = {r["RoleName"] for r in aws("iam").list_roles()["Roles"]}
    assert not {f"{pipeline.name}-pipeline", f"{pipeline.name}-scheduler"} & roles
