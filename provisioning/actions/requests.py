"""Request a new environment; update one that runs."""

from __future__ import annotations

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from governance import roles
from governance.audit import record
from governance.choices import AuditAction, ChangeAction, Verb
from provisioning.actions.authorize import authorize, operator_note, origin_note
from provisioning.actions.errors import ChangeNotAllowed, Forbidden, NotFound, RequestInvalid
from provisioning.actions.pipeline import check_and_plan, mandatory_tags
from provisioning.choices import ChangeSource, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment
from provisioning.validation import expiry, validate_request, validate_update


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
    application: str = "",
    origin: dict | None = None,
) -> ChangeRequest:
    """A new environment; `application` groups it with the same application's other tiers (default: its name).

    `origin` (a GitOps file's repository, path, commit and author) goes into the audit event."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("Sign in to request an environment.")
    if team is None:
        raise RequestInvalid({"team": ["Choose the team that will own the environment."]})
    if not roles.allows(actor, Verb.REQUEST, team, tier):
        raise Forbidden(roles.refusal(actor, Verb.REQUEST, team, tier))
    ttl, errors = validate_request(
        team=team,
        pattern_version=pattern_version,
        name=name,
        tier=tier,
        ttl_days=ttl_days,
        parameters=parameters,
        application=application or name,
    )
    if errors:
        raise RequestInvalid(errors)
    note, operator = operator_note(actor, team)
    try:
        with transaction.atomic():
            environment = Environment.objects.create(
                team=team,
                name=name,
                application=application or name,
                tier=tier,
                pattern_version=pattern_version,
                parameters=parameters,
                expires_at=expiry(ttl),
                created_by=actor,
            )
            environment.tags = mandatory_tags(environment)
            environment.save(update_fields=["tags"])
            # Object permission (guardian): the team sees its environment; what each member may do is governance.roles.
            assign_perm("provisioning.view_environment", team.group, environment)
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
                message=f"{actor} requested {pattern_version} as {team.slug}/{name} ({tier}) via {source}{note}"
                f"{origin_note(origin)}.",
                parameters=parameters,
                source=source,
                **operator,
                **(origin or {}),
            )
            check_and_plan(change)
    except IntegrityError:
        # Two identical requests at once: the unique constraint lets one through, the other gets the form's answer.
        raise RequestInvalid(_taken(team, name, application or name, tier)) from None
    return change


def _taken(team, name: str, application: str, tier: str) -> dict:
    if Environment.objects.live().filter(team=team, name=name).exists():
        return {"name": [f"Your team already has an environment called '{name}'; choose another name."]}
    return {
        "application": [f"{application} already has a {tier} environment; promote to it or choose another application."]
    }


def update_environment(
    *,
    actor,
    environment: Environment,
    parameters: dict,
    reason: str = "",
    source: str = ChangeSource.PORTAL,
    origin: dict | None = None,
) -> ChangeRequest:
    """New parameters for a running environment: planned, checked, approved and applied like a request."""
    environment = authorize(actor, Verb.UPDATE, Environment.objects.select_related("team"), pk=environment.pk)
    errors = validate_update(environment=environment, parameters=parameters)
    if errors:
        raise RequestInvalid(errors)
    note, operator = operator_note(actor, environment.team)
    with transaction.atomic():
        locked = lock_for_change(environment, verb="update", allowed=(EnvironmentStatus.ACTIVE,))
        change = ChangeRequest.objects.create(
            environment=locked,
            action=ChangeAction.UPDATE,
            requested_by=actor,
            parameters=parameters,
            ttl_days=remaining_days(locked),
            reason=reason,
            source=source,
        )
        changed = sorted(k for k in {*parameters, *locked.parameters} if parameters.get(k) != locked.parameters.get(k))
        record(
            AuditAction.CHANGE_SUBMITTED,
            actor=actor,
            change=change,
            message=f"{actor} asked to update {locked} ({', '.join(changed)}) via {source}{note}{origin_note(origin)}.",
            parameters=parameters,
            source=source,
            **operator,
            **(origin or {}),
        )
        check_and_plan(change)
    return change


def remaining_days(environment: Environment) -> int | None:
    """Days the environment has left (what the time-to-live policies judge on an update); None: never expires."""
    if environment.expires_at is None:
        return None
    return max(1, math.ceil((environment.expires_at - timezone.now()) / timedelta(days=1)))


def lock_for_change(environment: Environment, *, verb: str, allowed: tuple[str, ...]) -> Environment:
    """Lock the environment row for a new change: it must be in an `allowed` status with no change open."""
    locked = (
        Environment.objects.select_for_update()
        .select_related("team", "pattern_version__pattern")
        .get(pk=environment.pk)
    )
    busy = locked.changes.open().order_by("created_at").first()
    if busy is not None:
        raise ChangeNotAllowed(
            f"{locked} is busy with change #{busy.pk} ({busy.get_status_display().lower()}); "
            f"wait for it or cancel it, then {verb} again."
        )
    if locked.status not in allowed:
        raise ChangeNotAllowed(f"{locked} is {locked.get_status_display().lower()}; you cannot {verb} it now.")
    return locked
