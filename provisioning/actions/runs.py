"""What the worker reports: a run started, finished or failed; and the reaper of runs whose worker died.

Each report records the run's outcome and moves its change on in ONE transaction:
a worker that dies anywhere in between leaves either both or neither, and the
reaper then finds the run still "running" without a heartbeat and fails it (the
change becomes retryable). These act for the system: no permission check.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from costs.estimate import PRICED_ATTRIBUTES, pricing_values
from governance.audit import record
from governance.choices import AuditAction, ChangeAction
from provisioning.actions.pipeline import (
    deliver,
    enqueue_run,
    fail,
    route_planned_change,
    settle_environment_after_failure,
    supersede_requirements,
)
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.faults import crash_point
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.notifications import notify_change, notify_team
from provisioning.terraform.state import state_resources

logger = logging.getLogger(__name__)

BUSY_STATUS = {
    ChangeAction.CREATE: EnvironmentStatus.PROVISIONING,
    ChangeAction.UPDATE: EnvironmentStatus.UPDATING,
    ChangeAction.DESTROY: EnvironmentStatus.DECOMMISSIONING,
}


def run_started(run: Run) -> None:
    """Called inside the worker's claim transaction."""
    change = run.change_request
    if change is not None and run.kind == RunKind.APPLY:
        ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.APPROVED).update(
            status=ChangeStatus.APPLYING, updated_at=timezone.now()
        )
        Environment.objects.filter(pk=run.environment_id).update(status=BUSY_STATUS[change.action])
    record(AuditAction.RUN_STARTED, change=change, environment=run.environment,
           message=f"Run #{run.pk} ({run.get_kind_display().lower()}) started on {run.worker}.", run=run.pk)  # fmt: skip


def _close_run(run_id: int, status: str, **fields) -> Run | None:
    """Mark a running run finished and release its environment; None when it already was (reaped, or reported twice).

    The lock goes in the same transaction as the outcome: whoever sees the change applied, failed or
    cancelled can act on the environment at once.
    """
    closed = Run.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=status, finished_at=timezone.now(), **fields
    )
    if not closed:
        return None
    run = Run.objects.select_related("environment__team", "change_request").get(pk=run_id)
    Environment.objects.filter(pk=run.environment_id, active_run=run).update(active_run=None)
    return run


def plan_finished(run_id: int, *, exit_code: int) -> None:
    """The plan is stored: the run succeeded and its change is checked and routed, together."""
    with transaction.atomic():
        run = _close_run(run_id, RunStatus.SUCCEEDED, exit_code=exit_code)
        if run is None or run.change_request_id is None:
            crash_point("plan-recorded")
            return  # drift checks are not changes
        change = (
            ChangeRequest.objects.select_for_update().select_related("environment__team").get(pk=run.change_request_id)
        )
        record(AuditAction.RUN_FINISHED, change=change, message=f"Plan run #{run.pk} succeeded.", run=run.pk)
        if change.status == ChangeStatus.CHECKING:  # otherwise cancelled while planning
            route_planned_change(change, run)
        crash_point("plan-recorded")


def apply_finished(run_id: int, *, exit_code: int, outputs: dict, state: dict) -> None:
    with transaction.atomic():
        run = _close_run(run_id, RunStatus.SUCCEEDED, exit_code=exit_code)
        if run is None:
            return
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        environment = Environment.objects.select_for_update().get(pk=run.environment_id)
        change.finish(ChangeStatus.APPLIED)
        environment.estimated_monthly_cost = change.cost_estimate
        if change.pattern_version_id and change.action != ChangeAction.DESTROY:
            version = change.pattern_version
            environment.pattern_version = version
            environment.tags = {**environment.tags, "pattern": f"{version.pattern.slug}@{version.version}"}
        if change.action == ChangeAction.DESTROY:
            environment.status = EnvironmentStatus.DECOMMISSIONED
            environment.outputs, environment.resources = {}, []
        else:
            environment.status = EnvironmentStatus.ACTIVE
            environment.parameters = change.parameters
            environment.drift = []  # the apply made the cloud what the state says again
            environment.outputs = {
                name: (None if value.get("sensitive") else value.get("value")) for name, value in outputs.items()
            }
            environment.resources = [
                {**resource, "values": pricing_values(resource["values"])}
                for resource in state_resources(state, keep=PRICED_ATTRIBUTES)
            ]
        environment.save()
        record(AuditAction.RUN_FINISHED, change=change, message=f"Apply run #{run.pk} succeeded.", run=run.pk)
        record(AuditAction.CHANGE_APPLIED, change=change,
               message=f"Change #{change.pk} applied: {environment} is {environment.get_status_display().lower()}.")  # fmt: skip
        transaction.on_commit(lambda: notify_change(change.pk, "applied"))
        crash_point("apply-recorded")


def run_failed(run_id: int, reason: str, *, cancelled: bool = False, reaped: bool = False) -> bool:
    """The run failed (or was cancelled): record it and fail its change, together. False if already done."""
    with transaction.atomic():
        run = _close_run(run_id, RunStatus.CANCELLED if cancelled else RunStatus.FAILED, error=reason)
        if run is None:
            return False
        if reaped:
            record(AuditAction.RUN_REAPED, change=run.change_request, environment=run.environment,
                   message=f"Run #{run.pk} reaped: {reason}", run=run.pk)  # fmt: skip
        record(
            AuditAction.RUN_CANCELLED if cancelled else AuditAction.RUN_FINISHED,
            change=run.change_request,
            environment=run.environment,
            message=f"Run #{run.pk} {'was cancelled' if cancelled else 'failed'}.",
            run=run.pk,
            error=reason[:2000],
        )
        if run.change_request_id is None:
            return True
        change = ChangeRequest.objects.select_for_update().select_related("environment").get(pk=run.change_request_id)
        if not change.is_open:
            return True
        if cancelled:
            change.finish(ChangeStatus.CANCELLED, reason)
            settle_environment_after_failure(change, applied_something=run.kind == RunKind.APPLY)
            record(
                AuditAction.CHANGE_CANCELLED, change=change, message=f"Change #{change.pk} cancelled: {reason[:300]}"
            )
        else:
            fail(change, reason, message=f"Change #{change.pk} failed: {reason[:300]}",
                 applied_something=run.kind == RunKind.APPLY)  # fmt: skip
    return True


def plan_went_stale(run_id: int, reason: str) -> None:
    """State moved since the plan was reviewed: plan again; the new plan goes through the checks again."""
    with transaction.atomic():
        run = _close_run(run_id, RunStatus.FAILED, error=reason)
        if run is None:
            return
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        record(
            AuditAction.RUN_FINISHED, change=change, message=f"Apply run #{run.pk} found its plan stale.", run=run.pk
        )
        if not change.is_open:
            return
        supersede_requirements(change)
        change.reopen()
        record(AuditAction.CHANGE_REPLANNED, change=change,
               message=f"The state changed since plan #{change.plan_run_id} was reviewed; planning again.")  # fmt: skip
        enqueue_run(change.environment, change, RunKind.PLAN, destroy=change.destroys)


def reap_orphaned_runs() -> list[int]:
    """Runs whose worker stopped sending heartbeats are failed; locks and changes they held are freed."""
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_ORPHAN_AFTER_SECONDS)
    reaped = []
    for run in Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff):
        reason = (
            f"The worker {run.worker or '(unknown)'} stopped responding (no heartbeat since "
            f"{run.heartbeat_at:%H:%M:%S} UTC). Terraform may still have finished; retry to converge from the stored state."
        )
        if run_failed(run.pk, reason, reaped=True):
            reaped.append(run.pk)
    # A lock held by a run that is over (a crash between finishing and releasing it) is released too.
    Environment.objects.filter(active_run__status__in=RunStatus.finished_values()).update(active_run=None)
    for change_id in stranded_changes(cutoff):
        recover_stranded_change(change_id, cutoff)
    redeliver_lost_runs()
    return reaped


def redeliver_lost_runs() -> list[int]:
    """Queued runs that no worker has touched for RUN_REDELIVER_AFTER_SECONDS are sent again: their message may
    have been lost with a broker restart or a killed worker. Claiming is conditional, so a run still runs once."""
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_REDELIVER_AFTER_SECONDS)
    sent = []
    lost = Run.objects.filter(status=RunStatus.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, queued_at__lt=cutoff)
    )
    for run in lost.select_related("environment"):
        run_id = run.pk
        if not deliver(run):
            break  # the broker is still away: next round
        note = f"\n[{timezone.now():%H:%M:%S} UTC] No worker took this run for {settings.RUN_REDELIVER_AFTER_SECONDS} s " \
               "(its message was lost: broker restarted or worker killed); sent to the workers again.\n"  # fmt: skip
        touched = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            heartbeat_at=timezone.now(), log=Concat(F("log"), Value(note))
        )
        if touched:
            logger.warning("run %s sent to the workers again: no worker took it", run_id)
            sent.append(run_id)
    return sent


def run_waiting(run_id: int) -> None:
    """A worker holds this queued run's message and waits for its environment: the message is not lost."""
    Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(heartbeat_at=timezone.now())


def stranded_changes(cutoff) -> list[int]:
    """Changes waiting for a machine that has no run left to do the work."""
    return list(
        ChangeRequest.objects.filter(status__in=ChangeStatus.working_values(), updated_at__lt=cutoff)
        .exclude(runs__status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .values_list("pk", flat=True)
    )


def recover_stranded_change(change_id: int, cutoff) -> None:
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().select_related("environment").get(pk=change_id)
        if change.status not in ChangeStatus.working_values() or change.updated_at >= cutoff:
            return
        if change.runs.unfinished().exists():
            return
        reason = (
            f"Change #{change.pk} was {change.get_status_display().lower()} with no run left to do the work "
            "(its worker was lost). Retry to converge from the stored state."
        )
        record(AuditAction.CHANGE_RECOVERED, change=change, message=reason)
        fail(change, reason, message=f"Change #{change.pk} failed: {reason}",
             applied_something=change.status == ChangeStatus.APPLYING)  # fmt: skip


def drift_checked(run_id: int, *, exit_code: int, drift: list[dict]) -> None:
    """A refresh-only plan finished: keep what changed outside the portal; tell the team once per drift."""
    with transaction.atomic():
        run = _close_run(run_id, RunStatus.SUCCEEDED, exit_code=exit_code)
        if run is None:
            return
        environment = Environment.objects.select_for_update().select_related("team").get(pk=run.environment_id)
        before = environment.drift
        environment.drift, environment.drift_checked_at = drift, timezone.now()
        environment.save(update_fields=["drift", "drift_checked_at", "updated_at"])
        if drift and _fingerprint(drift) != _fingerprint(before):
            addresses = ", ".join(d["address"] for d in drift)
            record(AuditAction.ENVIRONMENT_DRIFTED, environment=environment, run=run.pk, drift=drift,
                   message=f"Drift on {environment}: changed outside the portal: {addresses}.")  # fmt: skip
            transaction.on_commit(lambda: notify_team(
                environment.team_id, f"{environment} changed outside the portal",
                f"Drift found by run #{run.pk}: {addresses}. Reconcile it from the environment page.",
                reverse("provisioning:environment_detail", args=[environment.pk]), ":twisted_rightwards_arrows:",
            ))  # fmt: skip
        elif not drift and before:
            record(AuditAction.ENVIRONMENT_IN_SYNC, environment=environment, run=run.pk,
                   message=f"{environment} matches its state again.")  # fmt: skip


def _fingerprint(drift: list[dict]) -> list:
    return sorted((d["address"], d["action"], tuple(sorted(a["name"] for a in d["attributes"]))) for d in drift)


def state_after_failure(run_id: int, state: dict) -> None:
    """What a failed apply left in the cloud, as its state says: shown on the page, for a retry or a clean-up."""
    run = Run.objects.select_related("environment").get(pk=run_id)
    resources = [
        {**resource, "values": pricing_values(resource["values"])}
        for resource in state_resources(state, keep=PRICED_ATTRIBUTES)
    ]
    Environment.objects.filter(pk=run.environment_id).update(resources=resources, updated_at=timezone.now())


def orphans_reconciled(run_id: int, *, adopted: list[dict], unresolved: list[dict]) -> None:
    """What the check after an interrupted apply found: adopted into state, and what it could not adopt (shown on
    the environment page until a retry finds none). Recorded in the environment's timeline either way."""
    with transaction.atomic():
        run = Run.objects.select_related("environment__team", "change_request").get(pk=run_id)
        environment = Environment.objects.select_for_update().get(pk=run.environment_id)
        if environment.orphans != unresolved:
            environment.orphans = unresolved
            environment.save(update_fields=["orphans", "updated_at"])
        if adopted:
            listed = ", ".join(f"{item['address']} ({item['id']})" for item in adopted)
            record(AuditAction.ENVIRONMENT_ORPHANS_ADOPTED, change=run.change_request, environment=environment,
                   run=run.pk, adopted=adopted,
                   message=f"Run #{run.pk} adopted into state what an interrupted apply had created: {listed}.")  # fmt: skip
        if unresolved:
            record(AuditAction.ENVIRONMENT_ORPHANS_FOUND, change=run.change_request, environment=environment,
                   run=run.pk, orphans=unresolved,
                   message=f"Run #{run.pk} stopped: {len(unresolved)} resource(s) tagged with {environment} are in "
                           f"no state: {', '.join(item['arn'] for item in unresolved)}.")  # fmt: skip


def orphans_deleted(run_id: int, deleted: list[dict]) -> None:
    """The worker deleted orphans the team picked: in the environment's timeline, each with its ARN."""
    if not deleted:
        return
    run = Run.objects.select_related("environment__team", "change_request").get(pk=run_id)
    listed = ", ".join(item["arn"] for item in deleted)
    record(AuditAction.ENVIRONMENT_ORPHANS_DELETED, change=run.change_request, environment=run.environment,
           run=run.pk, deleted=deleted,
           message=f"Run #{run.pk} deleted {len(deleted)} resource(s) that no state held, as the team chose: {listed}.")  # fmt: skip
