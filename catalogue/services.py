"""Load the catalogue from pattern files into the database, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from catalogue.choices import VersionStatus
from catalogue.models import Pattern, PatternVersion
from catalogue.pattern_files import PatternFileError, PatternSpec, discover, version_key
from catalogue.scan import SCANNED, ScanResult, scan_module_files
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
    scans: dict[str, str] = field(default_factory=dict)  # {version label: scan summary}

    def lines(self) -> list[str]:
        return (
            [f"added     {v}" for v in self.added]
            + [f"updated   {v}" for v in self.updated]
            + [f"unchanged {v}" for v in self.unchanged]
            + [f"scan      {v}: {summary}" for v, summary in self.scans.items()]
        )


def sync_catalogue(root: Path, *, actor=None) -> SyncReport:
    """Validate every pattern under `root`, then load them in one transaction.

    Raises CatalogueError listing every problem; nothing is written in that case.
    """
    specs, errors = discover(root)
    if errors:
        raise CatalogueError(errors)
    return load_catalogue(specs, root, actor=actor, scans=security_scans(specs))


def security_scans(specs: list[PatternSpec]) -> dict[tuple[str, str], ScanResult]:
    """Checkov's result for each version that is new, changed or not yet scanned (before the transaction:
    ~10 s a version). An unchanged version keeps the scan it has. {} when CATALOGUE_SECURITY_SCAN is off."""
    if not settings.CATALOGUE_SECURITY_SCAN:
        return {}
    scanned = set(
        PatternVersion.objects.filter(security_scan__status=SCANNED).values_list("pattern__slug", "version", "checksum")
    )
    return {
        (spec.slug, spec.version): scan_module_files(spec.module_files, checkov=settings.CHECKOV_BIN)
        for spec in specs
        if (spec.slug, spec.version, spec.checksum) not in scanned
    }


def load_catalogue(
    specs: list[PatternSpec], root: Path, *, actor=None, scans: dict[tuple[str, str], ScanResult] | None = None
) -> SyncReport:
    """Load validated pattern specs in one transaction (the second half of `sync_catalogue`).

    `scans` holds the Checkov results to store, by (slug, version); an unchanged version without one keeps
    its own, a changed one without one is marked not scanned.
    """
    report = SyncReport()
    scans = scans or {}
    with transaction.atomic():
        problems: list[PatternFileError] = []
        for spec in specs:
            scan = scans.get((spec.slug, spec.version))
            problems += _load(spec, report, scan)
            if scan is not None:
                report.scans[f"{spec.slug} {spec.version}"] = scan.summary()
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


def _load(spec: PatternSpec, report: SyncReport, scan: ScanResult | None) -> list[PatternFileError]:
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
        # Changed files make the last scan stale: without a new one the page says "not scanned".
        "security_scan": scan.as_json() if scan is not None else {},
    }
    if existing is not None:
        if existing.checksum == spec.checksum:
            if scan is not None:  # a scan of the same files (e.g. Checkov was missing the last time)
                existing.security_scan = scan.as_json()
                existing.save(update_fields=["security_scan"])
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
