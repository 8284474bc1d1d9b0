"""Business events of provisioning: request, check, apply, decommission, cancel, retry.

Each takes a keyword-only `actor`, runs in one transaction, writes an audit
event and starts background work with `transaction.on_commit`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from governance import gates
from governance.audit import record
from governance.choices import AuditAction
from governance.models import Membership
from governance.notifications import notify_change
from provisioning.choices import ChangeAction, ChangeSource, ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.terraform.state import state_resources
from provisioning.validation import Errors, expiry, validate_request

logger = logging.getLogger(__name__)


class RequestInvalid(Exception):
    def __init__(self, errors: Errors):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class ChangeNotAllowed(Exception):
    """The change is not in a state where this action makes sense; the message says why."""


# -- requests ----------------------------------------------------------------
def request_environment(
    *,
    actor,
    team,
    pattern_version,
    name: str,
    tier: str,
    ttl_days: int | None,
    parameters: dict,
    reason: str = "",
    source: str = ChangeSource.PORTAL,
) -> ChangeRequest:
    if not actor.is_superuser and not Membership.objects.filter(user=actor, team=team).exists():
        raise PermissionDenied(f"You are not a member of team {team.slug}.")
    ttl, errors = validate_request(
        team=team, pattern_version=pattern_version, name=name, tier=tier, ttl_days=ttl_days, parameters=parameters
    )
    if errors:
        raise RequestInvalid(errors)
    try:
        with transaction.atomic():
            environment = Environment.objects.create(
                team=team,
                name=name,
                tier=tier,
                pattern_version=pattern_version,
                parameters=parameters,
                expires_at=expiry(ttl),
                created_by=actor,
            )
            environment.tags = mandatory_tags(environment)
            environment.save(update_fields=["tags"])
            for perm in ("view_environment", "change_environment"):
                assign_perm(f"provisioning.{perm}", team.group, environment)
            change = ChangeRequest.objects.create(
                environment=environment,
                action=ChangeAction.CREATE,
                requested_by=actor,
                parameters=parameters,
                ttl_days=ttl,
                reason=reason,
                source=source,
            )
            record(
                AuditAction.CHANGE_SUBMITTED,
                actor=actor,
                change=change,
                message=f"{actor} requested {pattern_version} as {team.slug}/{name} ({tier}) via {source}.",
                parameters=parameters,
            )
            _check_and_plan(change)
    except IntegrityError:
        raise RequestInvalid(
            {"name": [f"Your team already has an environment called '{name}'; choose another name."]}
        ) from None
    return change


def decommission_environment(*, actor, environment: Environment, reason: str = "", source=ChangeSource.PORTAL):
    if not environment.is_live or environment.status == EnvironmentStatus.REQUESTED:
        raise ChangeNotAllowed(f"{environment} is {environment.get_status_display().lower()}; nothing to decommission.")
    with transaction.atomic():
        locked = Environment.objects.select_for_update().get(pk=environment.pk)
        if locked.changes.open().exists():
            raise ChangeNotAllowed("Another change to this environment is still open; wait for it or cancel it.")
        change = ChangeRequest.objects.create(
            environment=locked,
            action=ChangeAction.DESTROY,
            requested_by=actor,
            parameters=locked.parameters,
            reason=reason,
            source=source,
        )
        record(
            AuditAction.CHANGE_SUBMITTED, actor=actor, change=change, message=f"{actor} asked to decommission {locked}."
        )
        _check_and_plan(change)
    return change


def mandatory_tags(environment: Environment) -> dict[str, str]:
    tags = {
        "team": environment.team.slug,
        "project": environment.name,
        "cost-centre": environment.team.cost_centre,
        "environment": environment.tier,
        "managed-by": "idp-portal",
        "idp:environment": str(environment.pk),
        "pattern": f"{environment.pattern_version.pattern.slug}@{environment.pattern_version.version}",
    }
    if environment.expires_at:
        tags["expires-on"] = environment.expires_at.date().isoformat()
    return tags


# -- the checks between request and apply ------------------------------------
def _check_and_plan(change: ChangeRequest) -> None:
    """Parameter policies first (fast, no terraform); then a plan run."""
    try:
        results = gates.check_parameters(change)
    except gates.GovernanceUnavailable as exc:
        _stop_unchecked(change, str(exc))
        return
    change.policy_results = results
    change.save(update_fields=["policy_results", "updated_at"])
    if change.action != ChangeAction.DESTROY:
        record(AuditAction.CHANGE_CHECKED, change=change, message="Parameter policies: " + _policy_summary(results),
               results=[{k: r[k] for k in ("policy", "severity", "value")} for r in results])  # fmt: skip
    if any(r["severity"] == "deny" for r in results):
        _reject(change, "The request breaks policy; see the violations.")
        return
    enqueue_run(change.environment, change, RunKind.PLAN, destroy=change.action == ChangeAction.DESTROY)


def enqueue_run(
    environment: Environment, change: ChangeRequest | None, kind: str, *, destroy=False, retry_of: Run | None = None
) -> Run:
    from provisioning.tasks import run_terraform_task

    run = Run.objects.create(
        environment=environment, change_request=change, kind=kind, destroy=destroy, retry_of=retry_of
    )
    transaction.on_commit(lambda: run_terraform_task.delay(run.pk))
    return run


def run_started(run: Run) -> None:
    if run.change_request and run.kind == RunKind.APPLY:
        ChangeRequest.objects.filter(pk=run.change_request_id, status=ChangeStatus.APPROVED).update(
            status=ChangeStatus.APPLYING
        )
        status = {
            ChangeAction.CREATE: EnvironmentStatus.PROVISIONING,
            ChangeAction.UPDATE: EnvironmentStatus.UPDATING,
            ChangeAction.DESTROY: EnvironmentStatus.DECOMMISSIONING,
        }[run.change_request.action]
        Environment.objects.filter(pk=run.environment_id).update(status=status)
    record(AuditAction.RUN_STARTED, change=run.change_request, environment=run.environment,
           message=f"Run #{run.pk} ({run.get_kind_display().lower()}) started on {run.worker}.", run=run.pk)  # fmt: skip


def plan_finished(run: Run) -> None:
    """The plan is stored: evaluate plan policies, then route to approval or straight to apply."""
    if run.change_request_id is None:
        return  # drift checks are not changes
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        record(AuditAction.RUN_FINISHED, change=change, message=f"Plan run #{run.pk} succeeded.", run=run.pk)
        if change.status != ChangeStatus.CHECKING:
            return  # cancelled while planning
        change.plan_run = run
        try:
            results = gates.check_plan(change, run)
            required = gates.required_approvals(change, run)
        except gates.GovernanceUnavailable as exc:
            change.save(update_fields=["plan_run", "updated_at"])
            _stop_unchecked(change, str(exc))
            return
        change.policy_results = results
        change.save(update_fields=["plan_run", "policy_results", "updated_at"])
        record(AuditAction.CHANGE_CHECKED, change=change, message=_policy_summary(results),
               results=[{k: r[k] for k in ("policy", "severity", "resource", "value")} for r in results])  # fmt: skip
        if any(r["severity"] == "deny" for r in results):
            _reject(change, "The plan breaks policy; see the violations.")
            return
        gates.open_requirements(change, run, required)
        if required:
            change.status = ChangeStatus.AWAITING_APPROVAL
            change.save(update_fields=["status", "updated_at"])
            groups = ", ".join(sorted(required))
            record(AuditAction.CHANGE_AWAITING_APPROVAL, change=change,
                   message=f"Change #{change.pk} needs approval from: {groups}.", groups=sorted(required))  # fmt: skip
            transaction.on_commit(lambda: notify_change(change.pk, "awaiting_approval"))
        else:
            approve_and_apply(change, message="No approval required: approved automatically.")


def approve_and_apply(change: ChangeRequest, *, message: str, actor=None) -> Run:
    change.status = ChangeStatus.APPROVED
    change.save(update_fields=["status", "updated_at"])
    record(AuditAction.CHANGE_APPROVED, actor=actor, change=change, message=message)
    transaction.on_commit(lambda: notify_change(change.pk, "approved"))
    return enqueue_run(change.environment, change, RunKind.APPLY)


def apply_finished(run: Run, *, outputs: dict, state: dict) -> None:
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        environment = Environment.objects.select_for_update().get(pk=run.environment_id)
        change.status, change.finished_at = ChangeStatus.APPLIED, timezone.now()
        change.save(update_fields=["status", "finished_at", "updated_at"])
        if change.action == ChangeAction.DESTROY:
            environment.status = EnvironmentStatus.DECOMMISSIONED
            environment.outputs, environment.resources = {}, []
        else:
            environment.status = EnvironmentStatus.ACTIVE
            environment.parameters = change.parameters
            environment.outputs = {
                name: (None if value.get("sensitive") else value.get("value")) for name, value in outputs.items()
            }
            environment.resources = state_resources(state)
        environment.save()
        record(AuditAction.RUN_FINISHED, change=change, message=f"Apply run #{run.pk} succeeded.", run=run.pk)
        record(AuditAction.CHANGE_APPLIED, change=change,
               message=f"Change #{change.pk} applied: {environment} is {environment.get_status_display().lower()}.")  # fmt: skip
        transaction.on_commit(lambda: notify_change(change.pk, "applied"))


def run_failed(run: Run, reason: str, *, cancelled: bool = False) -> None:
    with transaction.atomic():
        record(
            AuditAction.RUN_CANCELLED if cancelled else AuditAction.RUN_FINISHED,
            change=run.change_request,
            environment=run.environment,
            message=f"Run #{run.pk} {'was cancelled' if cancelled else 'failed'}.",
            run=run.pk,
            error=reason[:2000],
        )
        if run.change_request is None:
            return
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        if not change.is_open:
            return
        change.status = ChangeStatus.CANCELLED if cancelled else ChangeStatus.FAILED
        change.failure_reason, change.finished_at = reason[:5000], timezone.now()
        change.save(update_fields=["status", "failure_reason", "finished_at", "updated_at"])
        _settle_environment_after_failure(change, applied_something=run.kind == RunKind.APPLY)
        record(AuditAction.CHANGE_CANCELLED if cancelled else AuditAction.CHANGE_FAILED, change=change,
               message=f"Change #{change.pk} {'cancelled' if cancelled else 'failed'}: {reason[:300]}")  # fmt: skip
        if not cancelled:
            transaction.on_commit(lambda: notify_change(change.pk, "failed"))


def _settle_environment_after_failure(change: ChangeRequest, *, applied_something: bool) -> None:
    environment = change.environment
    if applied_something:
        environment.status = EnvironmentStatus.FAILED
    elif change.action == ChangeAction.CREATE:
        environment.status = (
            EnvironmentStatus.FAILED if change.status == ChangeStatus.FAILED else EnvironmentStatus.WITHDRAWN
        )
    elif environment.status in (EnvironmentStatus.UPDATING, EnvironmentStatus.DECOMMISSIONING):
        environment.status = EnvironmentStatus.ACTIVE
    environment.save(update_fields=["status", "updated_at"])


def plan_went_stale(run: Run) -> None:
    """State moved since the plan was reviewed: plan again; the new plan goes through the checks again."""
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=run.change_request_id)
        gates.supersede_requirements(change)
        change.status = ChangeStatus.CHECKING
        change.save(update_fields=["status", "updated_at"])
        record(AuditAction.CHANGE_REPLANNED, change=change,
               message=f"The state changed since plan #{change.plan_run_id} was reviewed; planning again.")  # fmt: skip
        enqueue_run(change.environment, change, RunKind.PLAN, destroy=change.action == ChangeAction.DESTROY)


def _policy_summary(results: list[dict]) -> str:
    denies = sum(1 for r in results if r["severity"] == "deny")
    warns = len(results) - denies
    if not results:
        return "Every policy passed."
    return f"Policies found {denies} violation(s) and {warns} warning(s)."


def _stop_unchecked(change: ChangeRequest, reason: str) -> None:
    """Governance could not be evaluated: stop the change (fail closed), never let it through."""
    change.status, change.finished_at, change.failure_reason = ChangeStatus.FAILED, timezone.now(), reason
    change.save(update_fields=["status", "finished_at", "failure_reason", "updated_at"])
    _settle_environment_after_failure(change, applied_something=False)
    record(AuditAction.CHANGE_FAILED, change=change, message=f"Change #{change.pk} stopped: {reason[:500]}")
    transaction.on_commit(lambda: notify_change(change.pk, "failed"))


def _reject(change: ChangeRequest, message: str, *, actor=None) -> None:
    change.status, change.finished_at = ChangeStatus.REJECTED, timezone.now()
    change.save(update_fields=["status", "finished_at", "updated_at"])
    if change.action == ChangeAction.CREATE:
        change.environment.status = EnvironmentStatus.WITHDRAWN
        change.environment.save(update_fields=["status", "updated_at"])
    record(AuditAction.CHANGE_REJECTED, actor=actor, change=change, message=message,
           violations=[r for r in change.policy_results if r.get("severity") == "deny"])  # fmt: skip
    transaction.on_commit(lambda: notify_change(change.pk, "rejected"))


def reject_by_reviewer(change: ChangeRequest, *, actor, message: str) -> None:
    _reject(change, message, actor=actor)


# -- operator actions --------------------------------------------------------
def cancel_change(*, actor, change: ChangeRequest) -> None:
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        if not change.is_open:
            raise ChangeNotAllowed(
                f"Change #{change.pk} is {change.get_status_display().lower()}; it cannot be cancelled."
            )
        running = False
        for run in change.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]):
            if Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.CANCELLED, finished_at=timezone.now(), error="Cancelled before it started."
            ):
                continue
            Run.objects.filter(pk=run.pk).update(cancel_requested=True)
            running = True
        applying = change.status == ChangeStatus.APPLYING
        change.status, change.finished_at = ChangeStatus.CANCELLED, timezone.now()
        change.failure_reason = f"Cancelled by {actor}."
        change.save(update_fields=["status", "finished_at", "failure_reason", "updated_at"])
        _settle_environment_after_failure(change, applied_something=applying)
        record(AuditAction.CHANGE_CANCELLED, actor=actor, change=change,
               message=f"{actor} cancelled change #{change.pk}" + (" (terraform interrupted)" if running else "."))  # fmt: skip


def retry_change(*, actor, change: ChangeRequest) -> Run:
    """A failed change is planned again from the current state; the new plan is checked again."""
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        environment = Environment.objects.select_for_update().get(pk=change.environment_id)
        if change.status != ChangeStatus.FAILED:
            raise ChangeNotAllowed(
                f"Only a failed change can be retried; #{change.pk} is {change.get_status_display().lower()}."
            )
        if environment.changes.open().exclude(pk=change.pk).exists():
            raise ChangeNotAllowed("Another change to this environment is open; wait for it or cancel it.")
        gates.supersede_requirements(change)
        change.status, change.finished_at, change.failure_reason = ChangeStatus.CHECKING, None, ""
        change.save(update_fields=["status", "finished_at", "failure_reason", "updated_at"])
        if change.action == ChangeAction.CREATE and environment.status == EnvironmentStatus.FAILED:
            environment.status = EnvironmentStatus.REQUESTED
            environment.save(update_fields=["status", "updated_at"])
        record(AuditAction.RUN_RETRIED, actor=actor, change=change, message=f"{actor} retried change #{change.pk}.")
        failed = change.runs.filter(status=RunStatus.FAILED).order_by("-queued_at").first()
        destroy = change.action == ChangeAction.DESTROY
        return enqueue_run(environment, change, RunKind.PLAN, destroy=destroy, retry_of=failed)


# -- housekeeping ------------------------------------------------------------
def reap_orphaned_runs() -> list[int]:
    """Runs whose worker stopped sending heartbeats are failed, and their environment freed."""
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_ORPHAN_AFTER_SECONDS)
    reaped = []
    for run in Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff).select_related("environment"):
        reason = (
            f"The worker {run.worker or '(unknown)'} stopped responding (no heartbeat since "
            f"{run.heartbeat_at:%H:%M:%S} UTC). Terraform may still have finished; retry to converge from the stored state."
        )
        if not Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=reason, finished_at=timezone.now()
        ):
            continue
        Environment.objects.filter(pk=run.environment_id, active_run=run).update(active_run=None)
        record(AuditAction.RUN_REAPED, change=run.change_request, environment=run.environment,
               message=f"Run #{run.pk} reaped: {reason}", run=run.pk)  # fmt: skip
        run_failed(run, reason)
        reaped.append(run.pk)
    # A lock held by a run that is over (crash between finish and release) is released too.
    Environment.objects.filter(active_run__status__in=RunStatus.finished_values()).update(active_run=None)
    return reaped
