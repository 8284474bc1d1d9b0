"""Cancel an open change; retry a failed one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from governance.audit import record
from governance.choices import AuditAction, Verb
from provisioning.actions.authorize import authorize, operator_note
from provisioning.actions.errors import ChangeNotAllowed
from provisioning.actions.pipeline import enqueue_run, settle_environment_after_failure, supersede_requirements
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import ChangeRequest, Environment, Run

_CHANGES = ChangeRequest.objects.select_related("environment__team")


def cancel_change(*, actor, change: ChangeRequest, source: str = ChangeSource.PORTAL) -> ChangeRequest:
    """Stop an open change: queued runs never start, a running terraform is interrupted."""
    change = authorize(actor, Verb.CANCEL, _CHANGES, pk=change.pk)
    note, operator = operator_note(actor, change.environment.team)
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().select_related("environment__team").get(pk=change.pk)
        if not change.is_open:
            raise ChangeNotAllowed(
                f"Change #{change.pk} is {change.get_status_display().lower()}; it cannot be cancelled."
            )
        running = False
        for run in change.runs.unfinished():
            if Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.CANCELLED, finished_at=timezone.now(), error="Cancelled before it started."
            ):
                continue
            Run.objects.filter(pk=run.pk).update(cancel_requested=True)
            running = True
        applying = change.status == ChangeStatus.APPLYING
        change.finish(ChangeStatus.CANCELLED, f"Cancelled by {actor}.")
        settle_environment_after_failure(change, applied_something=applying)
        record(AuditAction.CHANGE_CANCELLED, actor=actor, change=change, source=source, **operator,
               message=f"{actor} cancelled change #{change.pk} via {source}{note}"
               + (" (terraform interrupted)." if running else "."))  # fmt: skip
    return change


def retry_change(
    *, actor, change: ChangeRequest, source: str = ChangeSource.PORTAL, delete_orphans: list[str] | None = None
) -> Run:
    """A failed change is planned again from the current state; the new plan is checked again.

    `delete_orphans`: ARNs, picked from the environment's list of resources that no state holds, that the worker
    deletes before it plans (only while they still carry the environment's tag and no state holds them). Who may
    retry may decommission the environment too (governance.roles), so deleting its orphans takes no other right."""
    change = authorize(actor, Verb.RETRY, _CHANGES, pk=change.pk)
    note, operator = operator_note(actor, change.environment.team)
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        environment = Environment.objects.select_for_update().get(pk=change.environment_id)
        if change.status != ChangeStatus.FAILED:
            raise ChangeNotAllowed(
                f"Only a failed change can be retried; #{change.pk} is {change.get_status_display().lower()}."
            )
        busy = environment.changes.open().exclude(pk=change.pk).first()
        if busy is not None:
            raise ChangeNotAllowed(f"Change #{busy.pk} to this environment is open; wait for it or cancel it.")
        doomed = _listed_orphans(environment, delete_orphans or [])
        supersede_requirements(change)
        change.reopen()
        if change.action == "create" and environment.status == EnvironmentStatus.FAILED:
            environment.status = EnvironmentStatus.REQUESTED
            environment.save(update_fields=["status", "updated_at"])
        deleting = f", deleting first {len(doomed)} resource(s) no state holds: {', '.join(doomed)}" if doomed else ""
        record(AuditAction.RUN_RETRIED, actor=actor, change=change, source=source, **operator,
               delete_orphans=doomed,
               message=f"{actor} retried change #{change.pk} via {source}{note}{deleting}.")  # fmt: skip
        failed = change.runs.filter(status=RunStatus.FAILED).order_by("-queued_at").first()
        return enqueue_run(
            environment, change, RunKind.PLAN, destroy=change.destroys, retry_of=failed, delete_orphans=doomed
        )


def _listed_orphans(environment: Environment, arns: list[str]) -> list[str]:
    """Only what the environment page lists may be deleted: a stale page or a made-up ARN changes nothing."""
    listed = {item["arn"] for item in environment.orphans}
    unknown = sorted(set(arns) - listed)
    if unknown:
        raise ChangeNotAllowed(
            f"Not among the resources that no state holds for {environment.name}: {', '.join(unknown)}. "
            "Pick from the environment's current list (its page, `platform status`, or `orphans` in the API)."
        )
    return sorted(set(arns))
