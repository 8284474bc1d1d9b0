from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from governance.permissions import CHANGE, RestrictedQuerySet, reviewer_groups
from provisioning.choices import (
    ChangeAction,
    ChangeSource,
    ChangeStatus,
    EnvironmentStatus,
    RunKind,
    RunStatus,
    Tier,
)

# Environment names end up in cloud resource names: keep them short and DNS-safe.
environment_name_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$",
    "Use 3 to 24 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
)


class EnvironmentQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        from guardian.shortcuts import get_objects_for_user

        perm = f"provisioning.{action}_environment"
        return get_objects_for_user(user, perm, klass=self, accept_global_perms=False)

    def live(self) -> EnvironmentQuerySet:
        return self.exclude(status__in=[EnvironmentStatus.DECOMMISSIONED, EnvironmentStatus.WITHDRAWN])


class Environment(models.Model):
    # Names and primary keys can come back (a restored database, a recycled name); the state key must not.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("governance.Team", on_delete=models.PROTECT, related_name="environments")
    name = models.CharField(max_length=24, validators=[environment_name_validator])
    tier = models.CharField(max_length=10, choices=Tier.choices)
    pattern_version = models.ForeignKey(
        "catalogue.PatternVersion", on_delete=models.PROTECT, related_name="environments"
    )
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=EnvironmentStatus.choices, default=EnvironmentStatus.REQUESTED)
    expires_at = models.DateTimeField(null=True, blank=True)
    outputs = models.JSONField(default=dict, blank=True, help_text="Non-sensitive Terraform outputs.")
    resources = models.JSONField(default=list, blank=True, help_text="Resources in state: address, id, tags.")
    tags = models.JSONField(default=dict, blank=True, help_text="Mandatory tags applied to every resource.")
    estimated_monthly_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The one run allowed to touch this environment's state now; taken with a conditional update.
    active_run = models.ForeignKey("Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnvironmentQuerySet.as_manager()

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=~Q(status__in=["decommissioned", "withdrawn"]),
                name="unique_live_environment_name_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team.slug}/{self.name}"

    @property
    def pattern(self):
        return self.pattern_version.pattern

    @property
    def state_key(self) -> str:
        """Terraform workspace (pg backend) or state folder (local backend) of this environment."""
        return f"env-{self.uid}"

    @property
    def is_live(self) -> bool:
        return self.status not in (EnvironmentStatus.DECOMMISSIONED, EnvironmentStatus.WITHDRAWN)


class ChangeRequestQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        environments = Environment.objects.for_user(user, action)
        visible = Q(environment__in=environments)
        if action != CHANGE:
            # Reviewers see the changes that wait (or waited) for one of their groups.
            groups = reviewer_groups(user)
            if groups:
                visible |= Q(requirements__group__in=groups)
        return self.filter(visible).distinct()

    def open(self) -> ChangeRequestQuerySet:
        return self.filter(status__in=ChangeStatus.open_values())


class ChangeRequest(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    status = models.CharField(max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.CHECKING)
    source = models.CharField(max_length=10, choices=ChangeSource.choices, default=ChangeSource.PORTAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=dict)
    ttl_days = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    policy_results = models.JSONField(
        default=list, blank=True, help_text="[{policy, title, severity, stage, resource, value, message, field}]"
    )
    cost_estimate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_breakdown = models.JSONField(default=list, blank=True)
    plan_run = models.ForeignKey("Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.environment}"

    @property
    def is_open(self) -> bool:
        return self.status in ChangeStatus.open_values()

    @property
    def is_in_progress(self) -> bool:
        """Work is happening (checks, plan, apply): the page polls. Waiting for people is not progress."""
        return self.status in (ChangeStatus.CHECKING, ChangeStatus.APPROVED, ChangeStatus.APPLYING)

    @property
    def denials(self) -> list[dict]:
        return [r for r in self.policy_results if r.get("severity") == "deny"]


class RunQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        changes = ChangeRequest.objects.for_user(user, action)
        environments = Environment.objects.for_user(user, action)
        return self.filter(Q(change_request__in=changes) | Q(environment__in=environments)).distinct()


class Run(models.Model):
    """One Terraform execution. Its log is appended while it runs and streamed to the page."""

    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="runs")
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    kind = models.CharField(max_length=10, choices=RunKind.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    destroy = models.BooleanField(default=False, help_text="A plan that destroys every resource.")
    log = models.TextField(blank=True, default="")
    plan_file = models.BinaryField(null=True, blank=True, editable=False)
    plan_json = models.JSONField(null=True, blank=True, editable=False)
    plan_changes = models.JSONField(default=list, blank=True, help_text="Readable diff of the plan.")
    has_changes = models.BooleanField(null=True)
    exit_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    cancel_requested = models.BooleanField(default=False)
    retry_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"run #{self.pk} {self.kind} of {self.environment}"

    @property
    def is_finished(self) -> bool:
        return self.status in RunStatus.finished_values()

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        from django.utils import timezone

        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()
