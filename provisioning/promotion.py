"""Promotion paths: an application's environments in dev, test and prod, and what carries between them.

A pattern marks the parameters that stay per tier (sizes, counts, high availability) with
`x-per-tier: true`; everything else (the pattern version, feature switches, settings) is what a
promotion carries. A production change that no lower tier of its path ever ran needs the
platform team (the `production-untested` rule).
"""

from __future__ import annotations

from governance.choices import ChangeAction, Tier
from provisioning.choices import EnvironmentStatus
from provisioning.models import ChangeRequest, Environment


def per_tier(version) -> set[str]:
    properties = version.parameters_schema.get("properties", {})
    return {name for name, prop in properties.items() if isinstance(prop, dict) and prop.get("x-per-tier")}


def carried(parameters: dict, version) -> dict:
    """What a promotion carries from one tier to the next."""
    keep = per_tier(version)
    return {name: value for name, value in parameters.items() if name not in keep}


def lower_tiers(tier: str) -> list[str]:
    order = list(Tier.values)
    return order[: order.index(tier)] if tier in order else []


def next_tier(environment: Environment) -> str | None:
    offered = environment.pattern_version.allowed_tiers
    later = [t for t in Tier.values if t in offered and Tier.values.index(t) > Tier.values.index(environment.tier)]
    return later[0] if later else None


def path(environment: Environment) -> list[Environment]:
    """The environments of the same application, one per tier, in promotion order."""
    if not environment.application:
        return [environment]
    members = Environment.objects.live().filter(team=environment.team, application=environment.application)
    by_tier = {env.tier: env for env in members.select_related("pattern_version")}
    by_tier.setdefault(environment.tier, environment)
    return [by_tier[t] for t in Tier.values if t in by_tier]


def untested_in_lower_tiers(change: ChangeRequest) -> bool:
    """True when no running lower tier of the path runs this change's version and carried parameters."""
    environment = change.environment
    if change.action not in (ChangeAction.CREATE, ChangeAction.UPDATE):
        return False
    if not environment.application:
        return bool(lower_tiers(environment.tier))  # no path: nothing below ever ran it
    version = change.target_version
    wanted = carried(change.parameters, version)
    lower = Environment.objects.filter(
        team=environment.team,
        application=environment.application,
        tier__in=lower_tiers(environment.tier),
        status=EnvironmentStatus.ACTIVE,
        pattern_version=version,
    )
    return not any(carried(env.parameters, version) == wanted for env in lower)
