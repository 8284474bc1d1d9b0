"""Decommission an environment; extend its life."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance.audit import record
from governance.choices import AuditAction, ChangeAction, Verb
from provisioning.actions.authorize import authorize, operator_note
from provisioning.actions.errors import ChangeNotAllowed, RequestInvalid
from provisioning.actions.pipeline import check_and_plan
from provisioning.actions.requests import lock_for_change
from provisioning.choices import ChangeSource, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment
from provisioning.validation import MAX_TTL_DAYS, extension_limit


def decommission_environment(
    *, actor, environment: Environment, reason: str = "", source: str = ChangeSource.PORTAL
) -> ChangeRequest:
    """A `plan -destroy` of every resource, checked and approved like any change, then applied."""
    environment = authorize(actor, Verb.DECOMMISSION, Environment.objects.select_related("team"), pk=environment.pk)
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
            message=f"{actor} asked to decommission {locked} via {source}{note}.",
            source=source,
            **operator,
        )
        check_and_plan(change)
    return change


def extend_environment(*, actor, environment: Environment, days: int, source: str = ChangeSource.PORTAL) -> Environment:
    """Move the expiry date `days` later, within what the environment's tier allows from today."""
    environment = authorize(actor, Verb.EXTEND, Environment.objects.select_related("team"), pk=environment.pk)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_TTL_DAYS:
        raise RequestInvalid({"days": [f"Extend by a whole number of days from 1 to {MAX_TTL_DAYS}."]})
    note, operator = operator_note(actor, environment.team)
    with transaction.atomic():
        locked = (
            Environment.objects.select_for_update().select_related("team", "pattern_version").get(pk=environment.pk)
        )
        if not locked.is_live or locked.status == EnvironmentStatus.DECOMMISSIONING:
            raise ChangeNotAllowed(f"{locked} is {locked.get_status_display().lower()}; there is nothing to extend.")
        if locked.expires_at is None:
            raise ChangeNotAllowed(f"{locked} never expires; there is nothing to extend.")
        now = timezone.now()
        new_expiry = max(locked.expires_at, now) + timedelta(days=days)
        limit = extension_limit(locked)
        if limit is not None and new_expiry > now + timedelta(days=limit):
            room = max(0, (now + timedelta(days=limit) - max(locked.expires_at, now)).days)
            raise RequestInvalid(
                {
                    "days": [
                        f"The {locked.tier} tier lets {locked.pattern_version.pattern.name} live at most {limit} days "
                        f"from today; extend by at most {room} day{'s' if room != 1 else ''}."
                    ]
                }  # fmt: skip
            )
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
