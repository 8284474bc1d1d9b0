"""How an environment evolves after birth: a newer pattern version, a promotion to the next tier,
putting back what changed outside the portal. Each is an update change through the usual gates."""

from __future__ import annotations

from django.db import transaction

from governance import roles
from governance.audit import record
from governance.choices import AuditAction, ChangeAction, Verb
from provisioning import promotion
from provisioning.actions.authorize import authorize, operator_note, origin_note
from provisioning.actions.errors import ChangeNotAllowed, Forbidden, NotFound, RequestInvalid
from provisioning.actions.pipeline import check_and_plan, enqueue_run
from provisioning.actions.requests import lock_for_change, remaining_days, request_environment
from provisioning.choices import ChangeSource, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.upgrades import map_parameters, newer_version


def _update_change(actor, environment: Environment, *, verb: str, version=None, parameters: dict, reason: str,
                   source: str, message: str, promoted_from=None, **data) -> ChangeRequest:  # fmt: skip
    note, operator = operator_note(actor, environment.team)
    with transaction.atomic():
        locked = lock_for_change(environment, verb=verb, allowed=(EnvironmentStatus.ACTIVE,))
        change = ChangeRequest.objects.create(
            environment=locked, action=ChangeAction.UPDATE, requested_by=actor, parameters=parameters,
            pattern_version=version, promoted_from=promoted_from, ttl_days=remaining_days(locked), reason=reason,
            source=source,
        )  # fmt: skip
        record(AuditAction.CHANGE_SUBMITTED, actor=actor, change=change, source=source, parameters=parameters,
               message=f"{message} via {source}{note}.", **data, **operator)  # fmt: skip
        check_and_plan(change)
    return change


def _upgrade_target(environment: Environment, parameters: dict | None):
    version = newer_version(environment)
    if version is None:
        raise ChangeNotAllowed(f"{environment} runs the newest version of its pattern already.")
    if environment.tier not in version.allowed_tiers:
        raise ChangeNotAllowed(
            f"Version {version.version} no longer offers the {environment.tier} tier "
            f"({', '.join(version.allowed_tiers)}); {environment} cannot be upgraded to it."
        )
    mapping = map_parameters(environment.parameters, version, parameters)
    if mapping.errors:
        raise RequestInvalid(mapping.errors)
    return version, mapping


def upgrade_environment(
    *,
    actor,
    environment: Environment,
    parameters: dict | None = None,
    reason: str = "",
    source: str = ChangeSource.PORTAL,
    origin: dict | None = None,
) -> ChangeRequest:
    """Move to the pattern's newest version: kept values carry, new ones take their defaults (or `parameters`)."""
    environment = authorize(actor, Verb.UPDATE, Environment.objects.select_related("team", "pattern_version__pattern"),
                            pk=environment.pk)  # fmt: skip
    version, mapping = _upgrade_target(environment, parameters)
    notice = f" ({mapping.notice})" if mapping.notice else ""
    return _update_change(
        actor, environment, verb="upgrade", version=version, parameters=mapping.parameters, reason=reason,
        source=source, message=f"{actor} asked to upgrade {environment} from {environment.pattern_version.version} "
        f"to {version.version}{notice}{origin_note(origin)}", added=mapping.added, dropped=mapping.dropped,
        **(origin or {}),
    )  # fmt: skip


def preview_upgrade(*, actor, environment: Environment, parameters: dict | None = None) -> Run:
    """A speculative plan of the upgrade, to see what it would change and cost before anyone asks for it."""
    environment = authorize(actor, Verb.UPDATE, Environment.objects.select_related("team", "pattern_version__pattern"),
                            pk=environment.pk)  # fmt: skip
    if environment.status != EnvironmentStatus.ACTIVE:
        raise ChangeNotAllowed(f"{environment} is {environment.get_status_display().lower()}; preview it once active.")
    version, mapping = _upgrade_target(environment, parameters)
    with transaction.atomic():
        run = enqueue_run(environment, None, RunKind.PREVIEW)
        run.target_version, run.parameters = version, mapping.parameters
        run.save(update_fields=["target_version", "parameters"])
        record(AuditAction.RUN_STARTED, actor=actor, environment=environment, run=run.pk,
               message=f"{actor} asked what upgrading {environment} to {version.version} would change (run #{run.pk}).")  # fmt: skip
    return run


def promote_environment(*, actor, environment: Environment, reason: str = "", source: str = ChangeSource.PORTAL):
    """Carry this environment's version and settings to the next tier of its path (sizes stay per tier).

    The next tier's environment gets an update change; when there is none yet, it is requested.
    """
    visible = Environment.objects.for_user(actor, Verb.VIEW).select_related("team", "pattern_version__pattern")
    source_env = visible.filter(pk=environment.pk).first()
    if source_env is None:
        raise NotFound("No such environment, or you may not see it.")
    if not source_env.application:
        raise ChangeNotAllowed(f"{source_env} belongs to no application, so it has no next tier to promote to.")
    tier = promotion.next_tier(source_env)
    if tier is None:
        raise ChangeNotAllowed(
            f"{source_env.pattern_version.pattern.name} offers no tier after {source_env.tier} "
            f"({', '.join(source_env.pattern_version.allowed_tiers)})."
        )
    if source_env.status != EnvironmentStatus.ACTIVE:
        raise ChangeNotAllowed(f"{source_env} is {source_env.get_status_display().lower()}; promote what runs.")
    version = source_env.pattern_version
    target = (
        Environment.objects.live().filter(team=source_env.team, application=source_env.application, tier=tier).first()
    )
    carried = promotion.carried(source_env.parameters, version)
    what = f"{version.version} and {', '.join(sorted(carried)) or 'no settings'}"
    if target is None and not version.is_current:
        raise ChangeNotAllowed(
            f"{source_env} runs {version.version}, which new environments can no longer use; upgrade it, then promote."
        )
    with transaction.atomic():  # the new change and the promotion on the record, together
        if target is None:
            change = request_environment(
                actor=actor, team=source_env.team, pattern_version=version, name=f"{source_env.application}-{tier}",
                tier=tier, ttl_days=None, parameters={**_tier_defaults(version), **carried}, reason=reason,
                source=source, application=source_env.application,
            )  # fmt: skip
        else:
            if not roles.allows(actor, Verb.UPDATE, target.team, target.tier):
                raise Forbidden(roles.refusal(actor, Verb.UPDATE, target.team, target.tier))
            kept = {k: v for k, v in target.parameters.items() if k in promotion.per_tier(version)}
            mapping = map_parameters({**target.parameters, **carried}, version, {**carried, **kept})
            if mapping.errors:
                raise RequestInvalid(mapping.errors)
            if version.pk == target.pattern_version_id and mapping.parameters == target.parameters:
                raise ChangeNotAllowed(f"Nothing to promote: {target} already runs what {source_env} runs.")
            change = _update_change(
                actor, target, verb="promote", version=version if version.pk != target.pattern_version_id else None,
                parameters=mapping.parameters, reason=reason, source=source, promoted_from=source_env,
                message=f"{actor} promoted {source_env} ({what}) to {target}",
            )  # fmt: skip
        ChangeRequest.objects.filter(pk=change.pk).update(promoted_from=source_env)
        change.promoted_from = source_env
        record(AuditAction.ENVIRONMENT_PROMOTED, actor=actor, environment=source_env, change_id=change.pk, source=source,
               message=f"{actor} promoted {source_env} to the {tier} tier (change #{change.pk}).")  # fmt: skip
    return change


def _tier_defaults(version) -> dict:
    properties = version.parameters_schema.get("properties", {})
    return {name: prop["default"] for name, prop in properties.items() if "default" in prop}


def reconcile_drift(
    *, actor, environment: Environment, reason: str = "", source: str = ChangeSource.PORTAL
) -> ChangeRequest:
    """Put back what changed outside the portal: an update to what the environment should run."""
    environment = authorize(actor, Verb.UPDATE, Environment.objects.select_related("team"), pk=environment.pk)
    if not environment.drift:
        raise ChangeNotAllowed(f"{environment} has no drift to reconcile; its last check found it in sync.")
    addresses = ", ".join(d["address"] for d in environment.drift)
    return _update_change(
        actor, environment, verb="reconcile", parameters=dict(environment.parameters),
        reason=reason or f"Reconcile drift on {addresses}", source=source,
        message=f"{actor} asked to put back what changed outside the portal on {environment} ({addresses})",
    )  # fmt: skip


def check_drift(*, actor, environment: Environment, source: str = ChangeSource.PORTAL) -> Run:
    """A refresh-only plan: what changed in the cloud outside the portal. Read-only, so anyone who sees may ask."""
    environment = authorize(actor, Verb.VIEW, Environment.objects.select_related("team"), pk=environment.pk)
    with transaction.atomic():
        locked = Environment.objects.select_for_update().get(pk=environment.pk)
        if locked.status != EnvironmentStatus.ACTIVE:
            raise ChangeNotAllowed(
                f"{locked} is {locked.get_status_display().lower()}; only running environments drift."
            )
        busy = locked.changes.open().first() or locked.runs.exclude(status__in=RunStatus.finished_values()).first()
        if busy is not None:
            raise ChangeNotAllowed(f"{locked} is busy ({busy}); check it for drift once that is over.")
        run = enqueue_run(locked, None, RunKind.DRIFT)
        record(AuditAction.RUN_STARTED, actor=actor, environment=locked, run=run.pk, source=source,
               message=f"{actor} asked whether {locked} changed outside the portal (run #{run.pk}) via {source}.")  # fmt: skip
    return run
