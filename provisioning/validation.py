"""Checks of a request or an update that every door shares, through the actions and the forms."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogue.models import PatternVersion
from catalogue.parameters import NON_FIELD, validate_parameters
from governance.choices import Tier
from provisioning.models import Environment, environment_name_validator

Errors = dict[str, list[str]]
# Ten years: beyond any real need, and far below what a date can hold.
MAX_TTL_DAYS = 3650


def resolve_ttl(pattern_version: PatternVersion, tier: str, ttl_days: int | None) -> tuple[int | None, Errors]:
    """The time-to-live to use (tier default when not given) and any error about it."""
    rules = pattern_version.tier_rules(tier)
    if rules is None:
        allowed = ", ".join(pattern_version.allowed_tiers)
        return None, {"tier": [f"This pattern offers the tiers {allowed}; choose one of them."]}
    maximum = rules.get("max_ttl_days")
    if ttl_days is None:
        return rules.get("default_ttl_days"), {}
    if ttl_days < 1:
        return None, {"ttl_days": ["Enter at least 1 day."]}
    if maximum is not None and ttl_days > maximum:
        return None, {"ttl_days": [f"The {tier} tier allows at most {maximum} days; enter {maximum} or fewer."]}
    if ttl_days > MAX_TTL_DAYS:
        return None, {"ttl_days": [f"Enter at most {MAX_TTL_DAYS} days, or leave it empty: {tier} never expires."]}
    return ttl_days, {}


def expiry(ttl_days: int | None):
    return timezone.now() + timedelta(days=ttl_days) if ttl_days else None


def validate_request(
    *,
    team,
    pattern_version: PatternVersion,
    name: str,
    tier: str,
    ttl_days: int | None,
    parameters: dict,
    application: str = "",
) -> tuple[int | None, Errors]:
    errors: Errors = {}
    if not pattern_version.is_current:
        current = pattern_version.pattern.versions.filter(status="current").first()
        replaced = f", which was replaced by version {current.version}" if current else ""
        errors[NON_FIELD] = [
            f"This request was for version {pattern_version.version} of {pattern_version.pattern.name}{replaced}. "
            "Review the form and submit it again."
        ]
    if team is not None and name and Environment.objects.live().filter(team=team, name=name).exists():
        errors["name"] = [f"Your team already has an environment called '{name}'; choose another name."]
    for field, value in (("name", name), ("application", application or name)):
        try:
            environment_name_validator(value)
        except ValidationError as exc:
            errors[field] = list(exc.messages)
    taken = team and application and tier and not {"name", "application"} & errors.keys()
    if taken and Environment.objects.live().filter(team=team, application=application, tier=tier).exists():
        errors["application"] = [
            f"{application} already has a {tier} environment; promote to it or choose another application."
        ]
    ttl = None
    if tier and tier not in Tier.values:
        errors["tier"] = [f"Choose one of the tiers {', '.join(pattern_version.allowed_tiers)}."]
    elif tier:
        ttl, ttl_errors = resolve_ttl(pattern_version, tier, ttl_days)
        errors.update(ttl_errors)
    for field, messages in validate_parameters(pattern_version.parameters_schema, parameters).items():
        errors.setdefault(field, []).extend(messages)
    return ttl, errors


def validate_update(*, environment: Environment, parameters: dict) -> Errors:
    """New parameters for what runs now: the schema of the version it runs."""
    errors: Errors = {}
    schema = environment.pattern_version.parameters_schema
    for field, messages in validate_parameters(schema, parameters).items():
        errors.setdefault(field, []).extend(messages)
    for name in immutable(schema):
        if name in parameters and parameters[name] != environment.parameters.get(name):
            title = schema["properties"][name].get("title", name)
            errors.setdefault(name, []).append(
                f"{title} cannot change once created (it would replace the environment); "
                f"keep {environment.parameters.get(name)!r} or request a new environment."
            )
    if not errors and parameters == environment.parameters:
        errors[NON_FIELD] = ["Nothing changed: edit at least one value."]
    return errors


def extension_limit(environment: Environment) -> int | None:
    """Most days from now the environment's tier allows it to live; None when unlimited."""
    rules = environment.pattern_version.tier_rules(environment.tier) or {}
    return rules.get("max_ttl_days")


def immutable(schema: dict) -> set[str]:
    """Parameters a pattern marks `x-immutable: true`: changing them would rebuild the environment."""
    properties = schema.get("properties", {})
    return {name for name, prop in properties.items() if isinstance(prop, dict) and prop.get("x-immutable")}


def validate_parameters_of(version: PatternVersion, parameters: dict) -> Errors:
    """The values for a version's schema alone (an upgrade's parameters, before its mapping)."""
    errors: Errors = {}
    for field, messages in validate_parameters(version.parameters_schema, parameters).items():
        errors.setdefault(field, []).extend(messages)
    return errors
