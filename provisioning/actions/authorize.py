"""The permission check every action starts with, through the one entry point (`for_user`)."""

from __future__ import annotations

from governance import roles
from governance.audit import record
from governance.choices import AuditAction, Verb
from idp_portal.permissions import is_system
from provisioning.actions.errors import Forbidden, NotFound
from provisioning.models import ChangeRequest, Environment


def _environment_of(obj) -> Environment:
    return obj if isinstance(obj, Environment) else obj.environment


def authorize(actor, verb: str, queryset, **lookup):
    """The object `lookup` finds, if `actor` may `verb` it.

    NotFound when the actor may not even see it (a door answers 404), Forbidden when
    they may see it but not do this (403, saying who can).
    """
    allowed = queryset.for_user(actor, verb).filter(**lookup).first()
    if allowed is not None:
        return allowed
    visible = (
        queryset.for_user(actor, Verb.VIEW)
        .select_related("environment__team" if queryset.model is ChangeRequest else "team")
        .filter(**lookup)
        .first()
    )
    if visible is None:
        _log_hidden_attempt(actor, verb, queryset, lookup)
        raise NotFound(f"No such {queryset.model._meta.verbose_name}, or you may not see it.")
    if is_system(actor):
        raise Forbidden(f"The portal itself may not {Verb(verb).label}.")
    environment = _environment_of(visible)
    raise Forbidden(roles.refusal(actor, verb, environment.team, environment.tier))


def origin_note(origin: dict | None) -> str:
    """Where a change came from beyond its door, for the audit message (a GitOps file: its commit and author)."""
    if not origin or not origin.get("commit"):
        return ""
    return f" (commit {origin['commit'][:12]} by {origin.get('author', 'unknown')}, {origin.get('path', '')})"


def _log_hidden_attempt(actor, verb: str, queryset, lookup: dict) -> None:
    """An attempt on another team's object goes to the security log (no team, no environment: the
    platform group sees it in the audit log, filtered on "Access denied"), never to that team's timeline."""
    if actor is None or not actor.is_authenticated or not queryset.model._default_manager.filter(**lookup).exists():
        return
    model = queryset.model._meta
    ids = {f"{model.model_name}_{key}": value for key, value in lookup.items() if isinstance(value, int | str)}
    record(AuditAction.ACCESS_DENIED, actor=actor, verb=str(verb), **ids,
           message=f"{actor} tried to {verb} {model.verbose_name} {' '.join(f'#{v}' for v in ids.values())}, "
           "which they may not see: refused.")  # fmt: skip


def operator_note(actor, team) -> tuple[str, dict]:
    """Text and audit data saying that a superuser acted outside their own teams."""
    if roles.acts_as_operator(actor, team):
        return " (as platform operator, outside their teams)", {"operator": True}
    return "", {}
