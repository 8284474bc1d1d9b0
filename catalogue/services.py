"""Load the catalogue from pattern files into the database, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from catalogue.choices import VersionStatus
from catalogue.models import Pattern, PatternVersion
from catalogue.pattern_files import PatternFileError, PatternSpec, discover, version_key
from governance.audit import record
from governance.choices import AuditAction


class CatalogueError(Exception):
    def __init__(self, errors: list[PatternFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return (
            [f"added     {v}" for v in self.added]
            + [f"updated   {v}" for v in self.updated]
            + [f"unchanged {v}" for v in self.unchanged]
        )


def sync_catalogue(root: Path, *, actor=None) -> SyncReport:
    """Validate every pattern under `root`, then load them in one transaction.

    Raises CatalogueError listing every problem; nothing is written in that case.
    """
    specs, errors = discover(root)
    if errors:
        raise CatalogueError(errors)
    return load_catalogue(specs, root, actor=actor)


def load_catalogue(specs: list[PatternSpec], root: Path, *, actor=None) -> SyncReport:
    """Load validated pattern specs in one transaction (the second half of `sync_catalogue`)."""
    report = SyncReport()
    with transaction.atomic():
        problems: list[PatternFileError] = []
        for spec in specs:
            problems += _load(spec, report)
        if problems:
            transaction.set_rollback(True)
            raise CatalogueError(problems)
        if report.added or report.updated:
            record(
                AuditAction.CATALOGUE_SYNCED,
                actor=actor,
                message=f"Catalogue synced from {root}: {len(report.added)} added, {len(report.updated)} updated.",
                added=report.added,
                updated=report.updated,
            )
    return report


def _load(spec: PatternSpec, report: SyncReport) -> list[PatternFileError]:
    shown = f"{spec.source_path}/pattern.yaml"
    label = f"{spec.slug} {spec.version}"
    pattern, _ = Pattern.objects.select_for_update().get_or_create(
        slug=spec.slug,
        defaults={"name": spec.name, "category": spec.category, "data_classification": spec.data_classification},
    )
    pattern.name, pattern.summary, pattern.description = spec.name, spec.summary, spec.description
    pattern.category, pattern.data_classification = spec.category, spec.data_classification
    pattern.aliases = spec.aliases
    pattern.is_active = True
    pattern.save()

    versions = list(pattern.versions.all())
    existing = next((v for v in versions if v.version == spec.version), None)
    fields = {
        "parameters_schema": spec.parameters_schema,
        "tiers": spec.tiers,
        "data_classification": spec.data_classification,
        "module_files": spec.module_files,
        "resources": spec.resources,
        "checksum": spec.checksum,
        "source_path": spec.source_path,
        "cost_model": spec.cost_model,
        "size_presets": [{"name": name, "parameters": values} for name, values in spec.sizes.items()],
    }
    if existing is not None:
        if existing.checksum == spec.checksum:
            report.unchanged.append(label)
            return []
        in_use = existing.environments.count()
        if in_use:
            return [
                PatternFileError(
                    shown,
                    "version",
                    f"{spec.version} is used by {in_use} environment(s) and cannot be edited in place; "
                    f"give your change a new version number (e.g. {_next_patch(spec.version)})",
                )
            ]
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.save()
        report.updated.append(label)
        return []

    newest = max((v.version for v in versions), key=version_key, default=None)
    if newest and version_key(spec.version) < version_key(newest):
        return [
            PatternFileError(
                shown,
                "version",
                f"{spec.version} is older than the loaded version {newest}; use a higher version number",
            )
        ]
    pattern.versions.filter(status=VersionStatus.CURRENT).update(status=VersionStatus.DEPRECATED)
    PatternVersion.objects.create(pattern=pattern, version=spec.version, status=VersionStatus.CURRENT, **fields)
    report.added.append(label)
    return []


def _next_patch(version: str) -> str:
    major, minor, patch = version_key(version)
    return f"{major}.{minor}.{patch + 1}"
