"""After creation, with real parts only (worker, terraform, the sandbox cloud on moto): a size change in
place, a promotion to the next tier, drift found and put back, and the expiry sweep destroying on time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from catalogue.models import PatternVersion
from catalogue.services import sync_catalogue
from catalogue.tests.helpers import copy_patterns, edit_yaml
from conftest import request_change
from idp_portal.components import wait_for
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.expiry import sweep_expiry
from provisioning.models import Environment, Run
from provisioning.tests.conftest import wait_for_status

pytestmark = pytest.mark.integration


def instance(aws, environment: Environment) -> dict:
    reservations = aws("ec2").describe_instances(InstanceIds=[environment.outputs["instance_id"]])["Reservations"]
    return reservations[0]["Instances"][0]


def built(change) -> Environment:
    change = wait_for_status(change, ChangeStatus.APPLIED)
    return Environment.objects.get(pk=change.environment_id)


def test_a_bigger_instance_is_the_same_instance_resized_in_place(sandbox, aws, catalogue, alice, payments):
    box = built(request_change(alice, payments, catalogue["dev-environment"], name="box"))
    before = instance(aws, box)
    assert before["InstanceType"] == "t3.micro"

    update = actions.update_environment(actor=alice, environment=box, parameters={**box.parameters,
                                                                               "instance_type": "t3.small"})  # fmt: skip
    update = wait_for_status(update, ChangeStatus.APPLIED)

    # the plan said "update in place", and the cloud has the same instance, resized
    changes = {c["address"]: c["action"] for c in update.plan_run.plan_changes}
    assert changes == {"module.pattern.aws_instance.this": "update"}
    box.refresh_from_db()
    after = instance(aws, box)
    assert after["InstanceId"] == before["InstanceId"] and after["InstanceType"] == "t3.small"
    assert box.parameters["instance_type"] == "t3.small"


@pytest.fixture
def dev_environment_versions(db, tmp_path):
    """dev-environment 1.0.0 (the shipped 1.1.0 without its log group) loaded first, then the shipped 1.1.0."""
    root = copy_patterns(tmp_path, "dev-environment")
    folder = root / "dev-environment"
    (folder / "terraform" / "logs.tf").unlink()

    def as_1_0_0(data):
        data["version"] = "1.0.0"
        data["parameters"]["required"].remove("log_retention_days")
        del data["parameters"]["properties"]["log_retention_days"]
        data["costs"]["resources"] = [r for r in data["costs"]["resources"] if r["type"] == "aws_instance"
                                      or r["type"] == "aws_s3_bucket"]  # fmt: skip
        data["costs"]["usage"]["dev"] = {"aws_s3_bucket": data["costs"]["usage"]["dev"]["aws_s3_bucket"]}

    edit_yaml(folder, as_1_0_0)
    sync_catalogue(root)
    old = PatternVersion.objects.get(pattern__slug="dev-environment", version="1.0.0")
    return old, lambda: sync_catalogue(settings.PATTERNS_DIR)


def test_the_upgrade_to_1_1_adds_the_log_group(sandbox, aws, dev_environment_versions, alice, payments):
    # given alice's box runs dev-environment 1.0.0
    old, load_shipped = dev_environment_versions
    box = built(request_change(alice, payments, old, name="box"))
    assert aws("logs").describe_log_groups()["logGroups"] == []

    # when 1.1.0 is published and she upgrades
    load_shipped()
    upgrade = actions.upgrade_environment(actor=alice, environment=box)
    upgrade = wait_for_status(upgrade, ChangeStatus.APPLIED)

    # then the log group was added, nothing rebuilt, and the new parameter took its default
    changes = {c["address"]: c["action"] for c in upgrade.plan_run.plan_changes}
    assert changes.pop("module.pattern.aws_cloudwatch_log_group.this") == "create"
    assert set(changes.values()) == {"update"}  # the others' version tag, in place
    box.refresh_from_db()
    assert box.pattern_version.version == "1.1.0"
    assert box.parameters["log_retention_days"] == 7
    [group] = aws("logs").describe_log_groups()["logGroups"]
    assert group["logGroupName"] == box.outputs["log_group"]
    assert group["logGroupName"].startswith("/idp/") and group["logGroupName"].endswith("/box")
    assert group["retentionInDays"] == 7
    assert not upgrade.requirements.exists()  # nothing a reviewer must see


def test_a_promotion_builds_the_next_tier_with_the_same_version(sandbox, aws, catalogue, alice, payments):
    dev = built(request_change(alice, payments, catalogue["message-queue"], name="orders",
                               visibility_timeout_seconds=90))  # fmt: skip

    change = actions.promote_environment(actor=alice, environment=dev)
    test = built(change)

    assert (test.name, test.tier, test.application) == ("orders-test", "test", "orders")
    assert test.pattern_version == dev.pattern_version
    assert test.parameters["visibility_timeout_seconds"] == 90
    queues = aws("sqs").list_queues()["QueueUrls"]
    attributes = [aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"] for url in queues]
    assert sorted(a["VisibilityTimeout"] for a in attributes if "RedrivePolicy" in a) == ["90", "90"]


def test_drift_is_found_and_put_back(sandbox, aws, catalogue, alice, payments):
    box = built(request_change(alice, payments, catalogue["dev-environment"], name="box"))
    bucket = box.outputs["scratch_bucket"]
    s3 = aws("s3")
    applied = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]

    # someone changes the bucket's tags in the console
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "someone-else"}]})

    run = actions.check_drift(actor=alice, environment=box)
    wait_for(lambda: Run.objects.get(pk=run.pk).is_finished, 180, "the drift check to finish")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.log[-2000:]
    box.refresh_from_db()
    [drifted] = [d for d in box.drift if d["type"] == "aws_s3_bucket"]
    assert drifted["action"] == "changed" and "tags" in {a["name"] for a in drifted["attributes"]}

    reconcile = wait_for_status(actions.reconcile_drift(actor=alice, environment=box), ChangeStatus.APPLIED)

    assert sorted(map(tuple, (t.values() for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]))) == sorted(
        map(tuple, (t.values() for t in applied))
    )
    box.refresh_from_db()
    assert box.drift == [] and reconcile.source == ChangeSource.PORTAL

    # and a second check finds it in sync
    again = actions.check_drift(actor=alice, environment=box)
    wait_for(lambda: Run.objects.get(pk=again.pk).is_finished, 180, "the second drift check to finish")
    box.refresh_from_db()
    assert box.drift == []


def test_the_expiry_sweep_destroys_on_time(sandbox, aws, catalogue, alice, payments):
    box = built(request_change(alice, payments, catalogue["dev-environment"], name="box", ttl_days=2))
    bucket, instance_id = box.outputs["scratch_bucket"], box.outputs["instance_id"]

    # a day before: a notice, nothing destroyed
    early = sweep_expiry(now=box.expires_at - timedelta(hours=20))
    assert early.notices_sent == ["payments/box (1d)"] and early.decommissioned == []

    # at expiry: the portal decommissions it through the normal path
    sweep = sweep_expiry(now=box.expires_at + timedelta(minutes=1))
    assert sweep.decommissioned == ["payments/box"]
    destroy = box.changes.get(action="destroy")
    destroy = wait_for_status(destroy, ChangeStatus.APPLIED)

    assert destroy.requested_by.username == "idp-system"
    assert [r.kind for r in destroy.runs.order_by("queued_at")] == [RunKind.PLAN, RunKind.APPLY]
    box.refresh_from_db()
    assert box.status == EnvironmentStatus.DECOMMISSIONED
    [reservation] = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "terminated"
    assert bucket not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    # kept as history
    assert Environment.objects.filter(pk=box.pk).exists()
