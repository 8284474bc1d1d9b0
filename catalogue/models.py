from __future__ import annotations

from django.db import models

from catalogue.choices import Category, DataClassification, VersionStatus
from governance.choices import Tier, Verb
from idp_portal.permissions import RestrictedQuerySet


class UnknownSize(ValueError):
    def __init__(self, size: str, sizes: list[str]):
        self.size, self.sizes = size, sizes
        there = f"choose one of {', '.join(sizes)}" if sizes else "this pattern has no size presets; set parameters"
        super().__init__(f"There is no size {size!r}: {there}.")


class PatternQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        # The catalogue is readable by every signed-in user; only the loader writes it.
        return self if action == Verb.VIEW else self.none()

    def listed(self) -> PatternQuerySet:
        return self.filter(is_active=True, versions__status=VersionStatus.CURRENT).distinct()

    def named(self, name: str) -> Pattern | None:
        """The pattern whose slug or one of whose aliases is `name` (the catalogue is a few dozen rows)."""
        return self.filter(slug=name).first() or next((p for p in self if name in (p.aliases or [])), None)


class Pattern(models.Model):
    """A catalogue entry. Its source of truth is `patterns/<slug>/` in Git (see `sync_catalogue`)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    data_classification = models.CharField(max_length=20, choices=DataClassification.choices)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the pattern answers to (pattern.yaml `aliases`)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatternQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> PatternVersion | None:
        # Uses the prefetch cache when the caller prefetched `versions`.
        return next((v for v in self.versions.all() if v.status == VersionStatus.CURRENT), None)


class PatternVersion(models.Model):
    """An immutable version of a pattern: its parameter schema, tier rules and Terraform module."""

    pattern = models.ForeignKey(Pattern, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.CURRENT)
    parameters_schema = models.JSONField()
    tiers = models.JSONField(help_text="{tier: {default_ttl_days, max_ttl_days}} for every allowed tier.")
    data_classification = models.CharField(max_length=20, choices=DataClassification.choices)
    module_files = models.JSONField(help_text="The Terraform module: {relative path: file text}.")
    resources = models.JSONField(default=list, help_text="[{type, name}] declared by the module.")
    cost_model = models.JSONField(
        default=dict, blank=True, help_text="What the live quote prices (pattern.yaml `costs`): resources and usage."
    )
    size_presets = models.JSONField(
        default=list, blank=True, help_text="pattern.yaml `sizes` in their order: [{name, parameters}]."
    )
    checksum = models.CharField(max_length=64, help_text="SHA-256 of pattern.yaml and the module files.")
    security_scan = models.JSONField(
        default=dict,
        blank=True,
        help_text="Checkov's result for the module, stored by sync_catalogue (catalogue/scan.py); empty: not scanned.",
    )
    source_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pattern", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "version"], name="unique_pattern_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pattern.slug} {self.version}"

    @property
    def is_current(self) -> bool:
        return self.status == VersionStatus.CURRENT

    @property
    def sizes(self) -> dict[str, dict]:
        """{size: {parameter: value}} in the order the pattern lists them (JSONB keeps no key order)."""
        return {preset["name"]: preset["parameters"] for preset in self.size_presets or []}

    def size_parameters(self, size: str) -> dict:
        """The parameter values of a size preset; `UnknownSize` names the sizes there are."""
        if size not in self.sizes:
            raise UnknownSize(size, list(self.sizes))
        return dict(self.sizes[size])

    def parameters_for(self, *, size: str | None = None, parameters: dict | None = None) -> dict:
        """A request's parameters: the defaults, then the size preset, then the values given explicitly."""
        from catalogue.parameters import defaults

        preset = self.size_parameters(size) if size else {}
        return {**defaults(self.parameters_schema), **preset, **(parameters or {})}

    @property
    def scan(self):
        """The stored Checkov result (`catalogue.scan.ScanResult`); pages never run the scanner."""
        from catalogue.scan import ScanResult

        return ScanResult.from_json(self.security_scan)

    def tier_rules(self, tier: str) -> dict | None:
        return self.tiers.get(tier)

    @property
    def allowed_tiers(self) -> list[str]:
        return Tier.ordered(self.tiers)
