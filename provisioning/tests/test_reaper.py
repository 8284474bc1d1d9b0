"""The reaper: runs whose worker died are failed; changes left with no run to do their work are recovered."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conftest import request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.actions import runs
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunStatus
from provisioning.models import ChangeRequest, Environment, Run


def test_a_run_without_heartbeat_is_failed_with_why_and_its_change_is_retryable(alice, payments, web_app):
    change = request_change(alice, payments, web_app)
    run = change.runs.get()
    long_ago = timezone.now() - timedelta(minutes=5)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=long_ago, worker="w1@host")
    Environment.objects.filter(pk=change.environment_id).update(active_run=run)

    assert runs.reap_orphaned_runs() == [run.pk]

    run.refresh_from_db()
    change.refresh_from_db()
    assert run.status == RunStatus.FAILED and "w1@host stopped responding" in run.error
    assert change.status == ChangeStatus.FAILED and "retry to converge" in change.failure_reason
    assert Environment.objects.get(pk=change.environment_id).active_run is None
    assert AuditEvent.objects.filter(change_request=change, action=AuditAction.RUN_REAPED).count() == 1
    assert runs.reap_orphaned_runs() == []  # idempotent


def test_a_change_left_working_with_no_run_is_recovered_once(alice, payments, web_app):
    # given a change still "applying" whose runs are all over (its worker lost track of it)
    change = request_change(alice, payments, web_app)
    change.runs.update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    ChangeRequest.objects.filter(pk=change.pk).update(
        status=ChangeStatus.APPLYING, updated_at=timezone.now() - timedelta(minutes=5)
    )

    # when the reaper runs, twice
    runs.reap_orphaned_runs()
    runs.reap_orphaned_runs()

    # then the change failed once, saying what happened, and the environment shows it may be half-built
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED
    assert "with no run left to do the work" in change.failure_reason
    assert Environment.objects.get(pk=change.environment_id).status == EnvironmentStatus.FAILED
    assert AuditEvent.objects.filter(change_request=change, action=AuditAction.CHANGE_RECOVERED).count() == 1


def test_a_change_with_a_queued_run_is_left_alone(alice, payments, web_app):
    change = request_change(alice, payments, web_app)
    ChangeRequest.objects.filter(pk=change.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    runs.reap_orphaned_runs()
    change.refresh_from_db()
    assert change.status == ChangeStatus.CHECKING


def test_a_run_reported_twice_is_recorded_once(alice, payments, web_app):
    change = request_change(alice, payments, web_app)
    run = change.runs.get()
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)

    assert runs.run_failed(run.pk, "terraform crashed") is True
    assert runs.run_failed(run.pk, "terraform crashed") is False
    runs.plan_finished(run.pk, exit_code=2)  # a late success report changes nothing either

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.FAILED
    assert AuditEvent.objects.filter(change_request=change, action=AuditAction.CHANGE_FAILED).count() == 1


def test_the_environment_is_free_when_the_failure_is_visible(alice, payments, web_app):
    # whoever sees the change failed can retry or decommission at once: the outcome and the lock go together
    change = request_change(alice, payments, web_app)
    run = change.runs.get()
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    Environment.objects.filter(pk=change.environment_id).update(active_run=run)

    runs.run_failed(run.pk, "Time limit of 1 s exceeded")

    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.FAILED
    assert Environment.objects.get(pk=change.environment_id).active_run is None
