"""Workers as they run on other hosts: no filesystem shared with the web process or with each other, and one
pool of workers per cloud account, chosen by IDP_RUN_QUEUES (provisioning/routing.py)."""

from decimal import Decimal

import pytest

from conftest import request_change
from provisioning import actions
from provisioning.choices import ChangeStatus, RunKind, RunStatus
from provisioning.tests.conftest import tagged_arns, wait_for_status

pytestmark = pytest.mark.integration


def test_a_plan_made_on_one_host_is_applied_on_another(
    sandbox, extra_worker, aws, tmp_path, catalogue, alice, fiona, payments, settings
):
    payments.monthly_budget = Decimal("0.01")  # over budget: finance reviews, so plan and apply are apart
    payments.save()
    host_a = extra_worker(IDP_VAR_DIR=str(tmp_path / "host-a"))
    change = request_change(alice, payments, catalogue["dev-environment"], name="roaming", ttl_days=3)
    change = wait_for_status(change, ChangeStatus.AWAITING_APPROVAL)
    assert list(change.requirements.values_list("group", flat=True)) == ["finance"]

    # host A goes away; host B, with nothing of A's files, applies the plan A made (kept in the database)
    host_a.stop()
    host_b = extra_worker(queue=host_a.queue, IDP_VAR_DIR=str(tmp_path / "host-b"))
    actions.decide_change(actor=fiona, change=change, group="finance", decision="approved")
    change = wait_for_status(change, ChangeStatus.APPLIED)

    plan_run, apply_run = change.runs.get(kind=RunKind.PLAN), change.runs.get(kind=RunKind.APPLY)
    assert plan_run.worker.startswith(f"{host_a.node}@") and apply_run.worker.startswith(f"{host_b.node}@")
    assert f"the plan reviewed in run #{plan_run.pk}" in apply_run.log
    for host in ("host-a", "host-b"):  # each host its own provider plugins, under its own folder
        assert any((tmp_path / host / "terraform" / "plugin-cache" / "registry.terraform.io").iterdir()), host
    assert not (settings.TERRAFORM_DIR / "workspaces" / str(apply_run.pk)).exists()
    instances = [arn for arn in tagged_arns(aws, change.environment) if ":instance/" in arn]
    assert len(instances) == 1


def test_each_cloud_account_has_its_own_pool_of_workers(
    sandbox, extra_worker, tmp_path, test_patterns, alice, bob, payments, analytics, settings
):
    pool = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-analytics-account"
    settings.RUN_QUEUES = f"team=analytics:{pool}"

    # analytics' runs wait for the workers of its account; payments' run on the default pool meanwhile
    routed = request_change(bob, analytics, test_patterns["scratch-bucket"], name="routed")
    default = wait_for_status(request_change(alice, payments, test_patterns["scratch-bucket"]), ChangeStatus.APPLIED)
    routed.refresh_from_db()
    assert routed.status not in (ChangeStatus.APPLIED, ChangeStatus.FAILED)
    assert routed.runs.get().status == RunStatus.QUEUED

    account_worker = extra_worker(queue=pool, IDP_VAR_DIR=str(tmp_path / "analytics-account-host"))
    routed = wait_for_status(routed, ChangeStatus.APPLIED)
    assert all(worker.startswith(f"{account_worker.node}@") for worker in routed.runs.values_list("worker", flat=True))
    assert not any(
        worker.startswith(f"{account_worker.node}@") for worker in default.runs.values_list("worker", flat=True)
    )
