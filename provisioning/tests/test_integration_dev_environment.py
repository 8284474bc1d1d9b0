"""A development environment goes from request to running instance and back, with real parts only."""

import pytest

from conftest import request_change
from provisioning import actions
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.tests.conftest import tagged_arns, wait_for_status
from provisioning.tests.test_integration_patterns import check_alarms, check_flow_logs

pytestmark = pytest.mark.integration
MANDATORY = {"team", "project", "cost-centre", "environment", "idp:environment"}


def test_development_environment_is_built_tagged_and_destroyed(sandbox, aws, catalogue, alice, payments):
    # given alice requests a development environment within every rule
    change = request_change(alice, payments, catalogue["dev-environment"], name="scratch", ttl_days=5)

    # when the workers have planned and applied it, with no human in the loop
    change = wait_for_status(change, ChangeStatus.APPLIED)

    # then the environment is active with its outputs and resources listed with their tags
    environment = change.environment
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE
    assert environment.outputs["instance_id"].startswith("i-")
    addresses = {r["address"] for r in environment.resources}
    assert "module.pattern.aws_instance.this" in addresses
    runs = list(change.runs.order_by("queued_at"))
    assert [r.kind for r in runs] == [RunKind.PLAN, RunKind.APPLY]
    assert all(r.status == RunStatus.SUCCEEDED for r in runs)
    assert "Apply complete!" in runs[1].log
    assert not change.requirements.exists()

    # and the cloud really has them, tagged and encrypted
    instance = aws("ec2").describe_instances(InstanceIds=[environment.outputs["instance_id"]])["Reservations"][0][
        "Instances"
    ][0]
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert set(tags) >= MANDATORY
    assert tags["team"] == "payments" and tags["environment"] == "dev"
    volume_id = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    assert aws("ec2").describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["Encrypted"] is True
    bucket = environment.outputs["scratch_bucket"]
    rule = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(set(t) >= MANDATORY for t in tagged_arns(aws, environment).values())

    # and an alarm watches the instance's status checks, notifying a topic under the platform's key
    # (no key of its own: the box needed no review, as asserted above)
    check_alarms(aws, environment, {"StatusCheckFailed"})
    check_flow_logs(aws, environment)
    alarm = aws("cloudwatch").describe_alarms(AlarmNames=environment.outputs["alarms"])["MetricAlarms"][0]
    assert alarm["Dimensions"] == [{"Name": "InstanceId", "Value": instance["InstanceId"]}]
    topic = aws("sns").get_topic_attributes(TopicArn=environment.outputs["alarm_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == aws("kms").describe_key(KeyId="alias/idp-platform-alarms")["KeyMetadata"]["Arn"]

    # when alice decommissions it
    destroy = actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    destroy = wait_for_status(destroy, ChangeStatus.APPLIED)

    # then every resource is gone
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DECOMMISSIONED
    reservations = aws("ec2").describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
    assert reservations[0]["Instances"][0]["State"]["Name"] == "terminated"
    assert bucket not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
