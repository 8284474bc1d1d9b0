"""Decommission an environment; extend its life (beyond the tier's maximum, with the platform team's yes)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance import gates
from governance.audit import record
from governance.choices import AuditAction, ChangeAction, Verb
from provisioning.actions.authorize import authorize, operator_note, origin_note
from provisioning.actions.errors import ChangeNotAllowed, RequestInvalid
from provisioning.actions.pipeline import check_and_plan, open_review
from provisioning.actions.requests import lock_for_change
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment
from provisioning.validation import MAX_TTL_DAYS, extension_limit

# Doors where removing the request is itself the confirmation (a deleted GitOps file, the expiry sweep).
CONFIRMED_BY_THE_DOOR = (ChangeSource.SYSTEM, ChangeSource.GITOPS)


def decommission_environment(
    *,
    actor,
    environment: Environment,
    confirm_name: str = "",
    reason: str = "",
    source: str = ChangeSource.PORTAL,
    origin: dict | None = None,
) -> ChangeRequest:
    """A `plan -destroy` of every resource, checked and approved like any change, then applied.

    People confirm by typing the environment's name; the expiry sweep and GitOps confirm by their door.
    """
    environment = authorize(actor, Verb.DECOMMISSION, Environment.objects.select_related("team"), pk=environment.pk)
    if source not in CONFIRMED_BY_THE_DOOR and confirm_name.strip() != environment.name:
        raise RequestInvalid(
            {"confirm_name": [f"Type the environment's name, {environment.name}, to confirm its decommissioning."]}
        )
    note, operator = operator_note(actor, environment.team)
    with transaction.atomic():
        locked = lock_for_change(
            environment, verb="decommission", allowed=(EnvironmentStatus.ACTIVE, EnvironmentStatus.FAILED)
        )
        change = ChangeRequest.objects.create(
            environment=locked,
            action=ChangeAction.DESTROY,
            requested_by=actor,
            parameters=locked.parameters,
            reason=reason,
            source=source,
        )
        record(
            AuditAction.CHANGE_SUBMITTED,
            actor=actor,
            change=change,
            message=f"{actor} asked to decommission {locked} via {source}{note}{origin_note(origin)}"
            + (f": {reason}" if reason else "."),
            source=source,
            **operator,
            **(origin or {}),
        )
        check_and_plan(change)
    return change


def extend_environment(
    *, actor, environment: Environment, days: int, reason: str = "", source: str = ChangeSource.PORTAL
) -> Environment | ChangeRequest:
    """Move the expiry date `days` later. Within the tier's maximum from today it is done at once;
    beyond it, an extension change waits for the platform team (returned instead of the environment)."""
    environment = authorize(actor, Verb.EXTEND, Environment.objects.select_related("team"), pk=environment.pk)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_TTL_DAYS:
        raise RequestInvalid({"days": [f"Extend by a whole number of days from 1 to {MAX_TTL_DAYS}."]})
    note, operator = operator_note(actor, environment.team)
    with transaction.atomic():
        locked = (
            Environment.objects.select_for_update()
            .select_related("team", "pattern_version__pattern")
            .get(pk=environment.pk)
        )
        if not locked.is_live or locked.status == EnvironmentStatus.DECOMMISSIONING:
            raise ChangeNotAllowed(f"{locked} is {locked.get_status_display().lower()}; there is nothing to extend.")
        if locked.expires_at is None:
            raise ChangeNotAllowed(f"{locked} never expires; there is nothing to extend.")
        now = timezone.now()
        new_expiry = max(locked.expires_at, now) + timedelta(days=days)
        limit = extension_limit(locked)
        if limit is not None and new_expiry > now + timedelta(days=limit):
            return _ask_for_extension(actor, locked, days, new_expiry, limit, reason, source, note, operator)
        previous = locked.expires_at
        locked.expires_at = new_expiry
        locked.save(update_fields=["expires_at", "updated_at"])
        record(
            AuditAction.ENVIRONMENT_EXTENDED,
            actor=actor,
            environment=locked,
            message=f"{actor} extended {locked} by {days} day(s), to {new_expiry:%Y-%m-%d %H:%M} UTC, via {source}{note}.",
            previous=previous.isoformat(),
            expires_at=new_expiry.isoformat(),
            source=source,
            **operator,
        )
    return locked


def _ask_for_extension(actor, environment, days, new_expiry, limit, reason, source, note, operator) -> ChangeRequest:
    """Beyond the tier's maximum: an extension change, reviewed by the groups the rules name."""
    if not reason.strip():
        room = max(0, (timezone.now() + timedelta(days=limit) - max(environment.expires_at, timezone.now())).days)
        raise RequestInvalid(
            {
                "days": [
                    f"The {environment.tier} tier lets {environment.pattern_version.pattern.name} live at most "
                    f"{limit} days from today; extend by at most {room} day{'s' if room != 1 else ''}, or give a "
                    "reason to ask the platform team for longer."
                ]
            }  # fmt: skip
        )
    busy = environment.changes.open().first()
    if busy is not None:
        raise ChangeNotAllowed(f"{environment} is busy with change #{busy.pk}; ask for the extension once it is done.")
    change = ChangeRequest.objects.create(
        environment=environment,
        action=ChangeAction.EXTEND,
        requested_by=actor,
        parameters={"expires_at": new_expiry.isoformat()},
        ttl_days=days,
        reason=reason,
        source=source,
    )
    record(AuditAction.CHANGE_SUBMITTED, actor=actor, change=change, source=source, **operator,
           message=f"{actor} asked to keep {environment} {days} more day(s), to {new_expiry:%Y-%m-%d}, beyond "
                   f"the {limit}-day maximum, via {source}{note}: {reason}")  # fmt: skip
    try:
        required = gates.required_approvals(change, None)
    except gates.GovernanceUnavailable as exc:
        raise ChangeNotAllowed(str(exc)) from None
    open_review(change, required, None)
    if change.status != ChangeStatus.AWAITING_APPROVAL:
        raise ChangeNotAllowed("The approval rules name nobody to review extensions beyond the maximum.")
    return change
