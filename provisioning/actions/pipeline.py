"""The steps of a change between request and apply, shared by the actions and the run callbacks.

Not a door: nothing here checks permission. Callers are the actions (which did)
and the worker's callbacks (which act for the system). Every function runs inside
the caller's transaction and sends side effects with `transaction.on_commit`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from governance import gates
from governance.audit import record
from governance.choices import AuditAction, ChangeAction
from provisioning import costing, promotion, routing
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment, Run
from provisioning.notifications import notify_change

logger = logging.getLogger(__name__)


def mandatory_tags(environment: Environment) -> dict[str, str]:
    """Tags on every resource. Expiry is not one: the portal keeps it, and it moves when extended."""
    return {
        "team": environment.team.slug,
        "project": environment.name,
        "cost-centre": environment.team.cost_centre,
        "environment": environment.tier,
        "managed-by": "idp-portal",
        "idp:environment": str(environment.pk),
        "pattern": f"{environment.pattern_version.pattern.slug}@{environment.pattern_version.version}",
    }


def check_and_plan(change: ChangeRequest) -> None:
    """The quote and the parameter policies first (fast, no terraform); then a plan run."""
    version = change.environment.pattern_version
    quoted = None if change.destroys else costing.quote_parameters(version, change.environment.tier, change.parameters)
    costing.record_estimate(change, quoted, "quote")
    try:
        results = gates.check_parameters(change, costs=costing.costs_input(change))
    except gates.GovernanceUnavailable as exc:
        stop_unchecked(change, str(exc))
        return
    change.policy_results = results
    change.save(update_fields=["policy_results", "updated_at"])
    if change.action != ChangeAction.DESTROY:
        record(AuditAction.CHANGE_CHECKED, change=change, message="Parameter policies: " + policy_summary(results),
               results=[{k: r[k] for k in ("policy", "severity", "value")} for r in results])  # fmt: skip
    if change.denials:
        reject(change, "The request breaks policy; see the violations.")
        return
    enqueue_run(change.environment, change, RunKind.PLAN, destroy=change.destroys)


def enqueue_run(
    environment: Environment,
    change: ChangeRequest | None,
    kind: str,
    *,
    destroy=False,
    retry_of: Run | None = None,
    delete_orphans: list[str] | None = None,
) -> Run:
    run = Run.objects.create(
        environment=environment,
        change_request=change,
        kind=kind,
        destroy=destroy,
        retry_of=retry_of,
        delete_orphans=delete_orphans or [],
    )
    transaction.on_commit(lambda: deliver(run))
    return run


def deliver(run: Run) -> bool:
    """Send a run to the worker pool of its environment's cloud account or region. The run is stored whatever
    happens here: with the broker down, the request still succeeds and the reaper sends the run again once the
    broker is back (RUN_REDELIVER_AFTER_SECONDS)."""
    from provisioning.tasks import run_terraform_task

    queue = routing.queue_for(run.environment)
    try:
        run_terraform_task.apply_async((run.pk,), queue=queue)
    except KombuOperationalError as exc:
        logger.warning("run %s is queued but the broker is unreachable (%s); the reaper sends it again", run.pk, exc)
        return False
    return True


def route_planned_change(change: ChangeRequest, run: Run) -> None:
    """The plan is stored: plan policies, then approval or straight to apply."""
    change.plan_run = run
    costing.record_estimate(change, costing.plan_estimate(change, run.plan_json or {}), "plan")
    costs = costing.costs_input(change)
    untested = promotion.untested_in_lower_tiers(change)
    try:
        results = gates.check_plan(change, run, costs=costs)
        required = gates.required_approvals(change, run, over_budget=costs.get("over_budget", False), untested=untested)
    except gates.GovernanceUnavailable as exc:
        change.save(update_fields=["plan_run", "updated_at"])
        stop_unchecked(change, str(exc))
        return
    change.policy_results = results
    change.save(update_fields=["plan_run", "policy_results", "updated_at"])
    record(AuditAction.CHANGE_CHECKED, change=change, message=policy_summary(results),
           results=[{k: r[k] for k in ("policy", "severity", "resource", "value")} for r in results])  # fmt: skip
    if change.denials:
        reject(change, "The plan breaks policy; see the violations.")
        return
    open_review(change, required, run)


def open_review(change: ChangeRequest, required: dict[str, list[str]], run: Run | None) -> None:
    """Ask each group the rules name; none named: approved at once."""
    for group, reasons in sorted(required.items()):
        ApprovalRequirement.objects.create(change_request=change, group=group, reasons=reasons, plan_run=run)
    if not required:
        approve_and_apply(change, message="No approval required: approved automatically.")
        return
    change.status = ChangeStatus.AWAITING_APPROVAL
    change.save(update_fields=["status", "updated_at"])
    groups = ", ".join(sorted(required))
    record(AuditAction.CHANGE_AWAITING_APPROVAL, change=change,
           message=f"Change #{change.pk} needs approval from: {groups}.", groups=sorted(required))  # fmt: skip
    transaction.on_commit(lambda: notify_change(change.pk, "awaiting_approval"))


def approve_and_apply(change: ChangeRequest, *, message: str, actor=None) -> Run | None:
    change.status = ChangeStatus.APPROVED
    change.save(update_fields=["status", "updated_at"])
    record(AuditAction.CHANGE_APPROVED, actor=actor, change=change, message=message)
    transaction.on_commit(lambda: notify_change(change.pk, "approved"))
    if change.action == ChangeAction.EXTEND:
        apply_extension(change)  # nothing to plan: the date is the portal's
        return None
    return enqueue_run(change.environment, change, RunKind.APPLY)


def apply_extension(change: ChangeRequest) -> None:
    environment = Environment.objects.select_for_update().get(pk=change.environment_id)
    previous, environment.expires_at = environment.expires_at, datetime.fromisoformat(change.parameters["expires_at"])
    environment.save(update_fields=["expires_at", "updated_at"])
    change.finish(ChangeStatus.APPLIED)
    record(AuditAction.ENVIRONMENT_EXTENDED, change=change, previous=previous.isoformat() if previous else None,
           expires_at=environment.expires_at.isoformat(),
           message=f"{environment} now expires on {environment.expires_at:%Y-%m-%d %H:%M} UTC (change #{change.pk}).")  # fmt: skip
    transaction.on_commit(lambda: notify_change(change.pk, "applied"))


def supersede_requirements(change: ChangeRequest) -> None:
    """A new plan is reviewed afresh: approvals given for the old one no longer count."""
    change.requirements.current().update(superseded=True)


def reject(change: ChangeRequest, message: str, *, actor=None) -> None:
    change.finish(ChangeStatus.REJECTED)
    if change.action == ChangeAction.CREATE:
        change.environment.status = EnvironmentStatus.WITHDRAWN
        change.environment.save(update_fields=["status", "updated_at"])
    record(AuditAction.CHANGE_REJECTED, actor=actor, change=change, message=message, violations=change.denials)
    transaction.on_commit(lambda: notify_change(change.pk, "rejected"))


def stop_unchecked(change: ChangeRequest, reason: str) -> None:
    """Governance could not be evaluated: stop the change (fail closed), never let it through."""
    fail(change, reason, message=f"Change #{change.pk} stopped: {reason[:500]}")


def fail(change: ChangeRequest, reason: str, *, message: str, applied_something: bool = False) -> None:
    change.finish(ChangeStatus.FAILED, reason)
    settle_environment_after_failure(change, applied_something=applied_something)
    record(AuditAction.CHANGE_FAILED, change=change, message=message)
    transaction.on_commit(lambda: notify_change(change.pk, "failed"))


def settle_environment_after_failure(change: ChangeRequest, *, applied_something: bool) -> None:
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


def policy_summary(results: list[dict]) -> str:
    if not results:
        return "Every policy passed."
    denies = sum(1 for r in results if r["severity"] == "deny")
    return f"Policies found {denies} violation(s) and {len(results) - denies} warning(s)."
