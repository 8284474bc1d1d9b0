"""Faults: broken modules, an unreachable cloud, a killed worker, concurrent runs, cancel, template syntax.

Each fault gets a clear error and loses nothing.
"""

import pytest

from conftest import request_change
from idp_portal.components import free_port, wait_for
from provisioning import actions
from provisioning.actions import pipeline, runs
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import Environment, Run
from provisioning.tests.conftest import tagged_arns, wait_for_run, wait_for_status

pytestmark = pytest.mark.integration


def test_a_module_that_fails_validation_fails_the_run_with_terraforms_diagnostic(
    sandbox, test_patterns, alice, payments
):
    change = request_change(alice, payments, test_patterns["broken-module"], name="broken")

    change = wait_for_status(change, ChangeStatus.FAILED)

    run = change.runs.get()
    assert run.status == RunStatus.FAILED
    assert "Reference to undeclared resource" in run.error
    assert "Reference to undeclared resource" in change.failure_reason
    environment = Environment.objects.get(pk=change.environment_id)
    assert environment.status == EnvironmentStatus.FAILED
    assert environment.outputs == {} and environment.resources == []
    assert environment.active_run is None
    assert run.plan_file is None and run.plan_json is None


def test_an_unreachable_cloud_fails_the_run_naming_the_endpoint(sandbox, extra_worker, test_patterns, alice, payments):
    closed = f"http://127.0.0.1:{free_port()}"
    extra_worker(AWS_ENDPOINT_URL=closed)

    change = wait_for_status(
        request_change(alice, payments, test_patterns["scratch-bucket"], name="offline"), ChangeStatus.FAILED
    )

    assert closed in change.failure_reason
    assert "is the sandbox cloud (moto server) running" in change.failure_reason
    assert "Traceback" not in change.runs.get().log


def test_a_worker_killed_mid_apply_is_reaped_and_the_retry_converges(
    sandbox, extra_worker, aws, catalogue, alice, payments, settings
):
    doomed = extra_worker(SANDBOX_INSTANCE_BOOT_SECONDS="5")
    change = request_change(alice, payments, catalogue["dev-environment"], name="crashy", ttl_days=3)
    apply_run = wait_for_run(change, RunKind.APPLY, log_contains="Creating...")

    doomed.kill()  # SIGKILL, main process and pool children, mid-apply

    settings.RUN_ORPHAN_AFTER_SECONDS = 3
    reaped = wait_for(lambda: runs.reap_orphaned_runs(), 30, "the reaper to notice the dead worker", interval=1)
    assert reaped == [apply_run.pk]
    apply_run.refresh_from_db()
    change.refresh_from_db()
    assert apply_run.status == RunStatus.FAILED and "stopped responding" in apply_run.error
    assert change.status == ChangeStatus.FAILED
    assert Environment.objects.get(pk=change.environment_id).active_run is None

    # the retry runs on the regular worker and converges from the stored state
    from idp_portal.celery import app

    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    retry = actions.retry_change(actor=alice, change=change)
    assert retry.retry_of == apply_run
    change = wait_for_status(change, ChangeStatus.APPLIED)
    environment = Environment.objects.get(pk=change.environment_id)
    instances = [a for a in tagged_arns(aws, environment) if ":instance/" in a]
    running = aws("ec2").describe_instances(
        Filters=[
            {"Name": "tag:idp:environment", "Values": [str(environment.pk)]},
            {"Name": "instance-state-name", "Values": ["running", "pending"]},
        ]  # fmt: skip
    )["Reservations"]
    assert len(instances) >= 1
    assert sum(len(r["Instances"]) for r in running) == 1, "the retry must not build a second instance"


def test_two_runs_on_one_environment_never_overlap(sandbox, test_patterns, alice, payments):
    change = wait_for_status(
        request_change(alice, payments, test_patterns["scratch-bucket"], name="busy"), ChangeStatus.APPLIED
    )
    environment = change.environment

    # a second change is refused while one is open
    actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    with pytest.raises(actions.ChangeNotAllowed, match="is busy with change #"):
        actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    wait_for_status(environment.changes.order_by("-pk").first(), ChangeStatus.APPLIED)

    # two runs queued at once for one environment run one after the other
    other = wait_for_status(
        request_change(alice, payments, test_patterns["scratch-bucket"], name="busy2"), ChangeStatus.APPLIED
    )
    from django.db import transaction

    with transaction.atomic():
        first = pipeline.enqueue_run(other.environment, None, RunKind.DRIFT)
        second = pipeline.enqueue_run(other.environment, None, RunKind.DRIFT)
    wait_for(
        lambda: Run.objects.filter(pk__in=[first.pk, second.pk], status=RunStatus.SUCCEEDED).count() == 2,
        120,
        "both drift runs",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    earlier, later = sorted([first, second], key=lambda r: r.started_at)
    assert later.started_at >= earlier.finished_at


def test_cancelling_a_running_apply_interrupts_terraform_and_frees_the_environment(
    sandbox, extra_worker, catalogue, alice, payments
):
    extra_worker(SANDBOX_INSTANCE_BOOT_SECONDS="5")
    change = request_change(alice, payments, catalogue["dev-environment"], name="cancelled", ttl_days=3)
    apply_run = wait_for_run(change, RunKind.APPLY, log_contains="Creating...")

    actions.cancel_change(actor=alice, change=change)

    wait_for(lambda: Run.objects.get(pk=apply_run.pk).is_finished, 120, "terraform to stop")
    apply_run.refresh_from_db()
    assert apply_run.status == RunStatus.CANCELLED, apply_run.log
    assert "interrupting terraform" in apply_run.log
    environment = Environment.objects.get(pk=change.environment_id)
    assert environment.active_run is None
    assert environment.status == EnvironmentStatus.FAILED  # partly built: decommission or retry
    # terraform released its state lock: decommissioning runs at once
    destroy = actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    wait_for_status(destroy, ChangeStatus.APPLIED)


def test_template_syntax_in_a_value_reaches_the_cloud_as_literal_text(sandbox, aws, test_patterns, alice, payments):
    payload = '${file("/etc/passwd")}'
    change = request_change(alice, payments, test_patterns["scratch-bucket"], name="literal", description=payload)

    change = wait_for_status(change, ChangeStatus.APPLIED)

    environment = Environment.objects.get(pk=change.environment_id)
    tags = {t["Key"]: t["Value"] for t in aws("s3").get_bucket_tagging(Bucket=environment.outputs["bucket"])["TagSet"]}
    assert tags["Description"] == payload
    assert change.plan_run.plan_json["variables"]["description"]["value"] == payload
    # the sensitive output is neither stored nor shown
    assert environment.outputs["token"] is None
    assert "not-for-your-eyes" not in "".join(Run.objects.filter(environment=environment).values_list("log", flat=True))


def test_a_run_over_its_time_limit_is_stopped_and_failed(sandbox, extra_worker, catalogue, alice, payments):
    extra_worker(RUN_TIME_LIMIT_SECONDS="1")

    change = wait_for_status(
        request_change(alice, payments, catalogue["dev-environment"], name="slowpoke", ttl_days=2), ChangeStatus.FAILED
    )

    run = change.runs.get(status=RunStatus.FAILED)
    assert "Time limit of 1 s exceeded" in run.error
    assert Environment.objects.get(pk=change.environment_id).active_run is None
