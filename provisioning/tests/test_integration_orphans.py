"""A crash that takes terraform down with its worker mid-apply leaves resources that no state knows.

Terraform 1.0.3's pg backend writes state only when an apply ends. Before the retry plans, the worker finds
what carries the environment's tag but is not in state, adopts it with `terraform import` where the address
is certain, and otherwise stops with the list: nothing is ever built twice.
"""

from __future__ import annotations

import pytest

from conftest import request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from idp_portal.components import wait_for
from provisioning import actions
from provisioning.choices import ChangeStatus, RunKind, RunStatus
from provisioning.models import Environment
from provisioning.tasks import reap_orphaned_runs_task
from provisioning.tests.conftest import live_instances, tagged_arns, wait_for_status

pytestmark = pytest.mark.integration


def not_in_state(aws, environment) -> list[str]:
    """Tagged, live resources whose identifier appears nowhere in the environment's state."""
    known = set()
    for resource in environment.resources:
        known |= {str(resource["id"]), str(resource["id"]).rsplit("/", 1)[-1], str(resource["id"]).split(":")[-1]}
    instances = set(live_instances(aws, environment))
    missing = []
    for arn in tagged_arns(aws, environment):
        if ":instance/" in arn and arn.rsplit("/", 1)[1] not in instances:
            continue  # terminated
        if not {arn, arn.removesuffix(":*"), arn.rsplit("/", 1)[-1], arn.split(":")[-1]} & known:
            missing.append(arn)
    return missing


def kill_mid_apply(extra_worker, aws, alice, payments, catalogue, settings, name: str):
    """Request a development environment and kill its worker's whole tree once the instance exists in the cloud."""
    doomed = extra_worker(SANDBOX_INSTANCE_BOOT_SECONDS="6")
    change = request_change(alice, payments, catalogue["dev-environment"], name=name, ttl_days=3)
    environment = Environment.objects.get(pk=change.environment_id)
    wait_for(lambda: live_instances(aws, environment), 180, "the instance to be created mid-apply", interval=0.2)
    apply_run = change.runs.get(kind=RunKind.APPLY)

    killed = doomed.kill_tree()

    assert killed, "terraform must have been running, and is killed with its worker"
    settings.RUN_ORPHAN_AFTER_SECONDS = 2
    wait_for(lambda: reap_orphaned_runs_task() == [apply_run.pk], 30, "the reaper", interval=1)
    from idp_portal.celery import app

    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE  # the regular worker takes the retry
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED
    return change, environment


def test_a_retry_after_terraform_died_mid_apply_adopts_what_it_created_and_builds_nothing_twice(
    sandbox, extra_worker, aws, catalogue, alice, payments, settings
):
    # given an apply killed, terraform with it, after the instance was created and before state was written
    change, environment = kill_mid_apply(extra_worker, aws, alice, payments, catalogue, settings, "orphaned")
    orphaned = set(tagged_arns(aws, environment))
    assert orphaned, "the interrupted apply created tagged resources"

    # when the change is retried
    actions.retry_change(actor=alice, change=change)
    change = wait_for_status(change, ChangeStatus.APPLIED, timeout=300)

    # then what the interrupted apply created was adopted, not built again: one of everything, all in state
    environment.refresh_from_db()
    assert len(live_instances(aws, environment)) == 1
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:idp:environment", "Values": [str(environment.pk)]}])
    assert len(vpcs["Vpcs"]) == 1
    assert not_in_state(aws, environment) == [], "every tagged resource is in state"
    live = set(tagged_arns(aws, environment))
    assert orphaned <= live
    retry_plan = change.runs.filter(kind=RunKind.PLAN).order_by("-pk").first()
    assert "$ terraform import module.pattern.aws_instance.this i-" in retry_plan.log, retry_plan.log[:3000]
    adopted = AuditEvent.objects.get(action=AuditAction.ENVIRONMENT_ORPHANS_ADOPTED, environment=environment)
    assert "aws_instance.this" in adopted.message
    assert environment.orphans == []


def test_an_orphan_whose_address_is_not_certain_stops_the_retry_with_the_list(
    sandbox, extra_worker, aws, catalogue, alice, payments, settings, client
):
    # given an interrupted apply, and a second VPC carrying the same tag (two candidates for one address)
    change, environment = kill_mid_apply(extra_worker, aws, alice, payments, catalogue, settings, "ambiguous")
    wait_for(lambda: any(":vpc/" in arn for arn in tagged_arns(aws, environment)), 5, "the VPC")
    ec2 = aws("ec2")
    stray = ec2.create_vpc(CidrBlock="10.91.0.0/24")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[stray], Tags=[{"Key": "idp:environment", "Value": str(environment.pk)}])

    # when the change is retried
    actions.retry_change(actor=alice, change=change)
    change = wait_for_status(change, ChangeStatus.FAILED)

    # then nothing was planned or built: the run stopped with the list, shown on the change and environment pages
    assert "no state holds" in change.failure_reason and stray in change.failure_reason
    failed = change.runs.filter(kind=RunKind.PLAN, status=RunStatus.FAILED).order_by("-pk").first()
    assert failed.plan_file is None
    assert len(live_instances(aws, environment)) == 1
    environment.refresh_from_db()
    assert any(stray in item["arn"] for item in environment.orphans)
    client.force_login(alice)
    page = client.get(f"/environments/{environment.pk}/").content.decode()
    assert "no state holds" in page and stray in page

    # and ticking the stray VPC on the page deletes it before the retry plans: the rest is adopted, it converges
    stray_arn = next(item["arn"] for item in environment.orphans if stray in item["arn"])
    assert f'name="delete_orphans" value="{stray_arn}"' in page
    assert client.post(f"/changes/{change.pk}/retry/", {"delete_orphans": [stray_arn]}).status_code == 302
    wait_for_status(change, ChangeStatus.APPLIED, timeout=300)
    assert stray not in [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]]
    environment.refresh_from_db()
    assert environment.orphans == []
    assert len(live_instances(aws, environment)) == 1
    retry = change.runs.filter(kind=RunKind.PLAN).order_by("-pk").first()
    assert retry.delete_orphans == [stray_arn] and f"deleting aws_vpc {stray}" in retry.log
    deleted = AuditEvent.objects.get(action=AuditAction.ENVIRONMENT_ORPHANS_DELETED, environment=environment)
    assert stray in deleted.message
