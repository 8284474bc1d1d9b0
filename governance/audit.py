"""Write to the append-only audit log."""

from __future__ import annotations

from typing import Any

from governance.models import AuditEvent


def record(
    action: str,
    *,
    actor=None,
    message: str,
    team=None,
    environment=None,
    change=None,
    **data: Any,
) -> AuditEvent:
    if change is not None and environment is None:
        environment = change.environment
    if environment is not None and team is None:
        team = environment.team
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "system",
        team=team,
        environment=environment,
        change_request=change,
        message=message,
        data=data,
    )
