"""Upgrading an environment to a newer version of its pattern: which parameters carry, which are new or gone."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.choices import VersionStatus
from catalogue.models import PatternVersion
from catalogue.parameters import validate_parameters
from provisioning.models import Environment


@dataclass
class Mapping:
    parameters: dict
    added: list[str] = field(default_factory=list)  # new in the version: their defaults
    dropped: list[str] = field(default_factory=list)  # gone from the version: no longer passed
    missing: list[str] = field(default_factory=list)  # new, required, without a default: to be asked
    errors: dict[str, list[str]] = field(default_factory=dict)  # kept values the new version refuses

    @property
    def notice(self) -> str:
        parts = []
        if self.added:
            parts.append(f"new with their defaults: {', '.join(self.added)}")
        if self.dropped:
            parts.append(f"no longer used: {', '.join(self.dropped)}")
        return "; ".join(parts)


def newer_version(environment: Environment) -> PatternVersion | None:
    """The pattern's current version, when the environment runs an older one."""
    current = environment.pattern_version.pattern.versions.filter(status=VersionStatus.CURRENT).first()
    return current if current and current.pk != environment.pattern_version_id else None


def map_parameters(current: dict, version: PatternVersion, provided: dict | None = None) -> Mapping:
    schema = version.parameters_schema
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    provided = provided or {}
    mapped, mapping = {}, Mapping(parameters={})
    for name, prop in properties.items():
        if name in provided:
            mapped[name] = provided[name]
        elif name in current:
            mapped[name] = current[name]
        elif "default" in prop:
            mapped[name] = prop["default"]
            mapping.added.append(name)
        elif name in required:
            mapping.missing.append(name)
    mapping.dropped = sorted(set(current) - set(properties))
    mapping.parameters = mapped
    errors = validate_parameters(schema, mapped)
    for name in mapping.missing:
        title = properties[name].get("title", name)
        errors[name] = [f"Version {version.version} asks for {title}, which has no default: enter a value."]
    mapping.errors = errors
    return mapping
