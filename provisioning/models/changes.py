from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance import roles
from governance.choices import ChangeAction, Verb
from idp_portal.permissions import RestrictedQuerySet
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.models.environments import Environment


class ChangeRequestQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        visible_environments = Environment.objects.for_user(user, Verb.VIEW)
        if action == Verb.VIEW:
            visible = Q(environment__in=visible_environments)
            # Reviewers see the changes that wait (or waited) for one of their groups.
            groups = roles.reviewer_groups(user)
            if groups:
                visible |= Q(requirements__group__in=groups)
            return self.filter(pk__in=self.model.objects.filter(visible).values("pk"))
        allowed = roles.environments_q(user, action, prefix="environment__")
        if action == Verb.CANCEL:
            # Whoever asked for a change may withdraw it, whatever the tier.
            allowed |= Q(requested_by=user, environment__in=visible_environments)
        return self.filter(allowed)

    def restrict_system(self, action):
        return self if action in roles.SYSTEM_VERBS else self.none()

    def open(self) -> ChangeRequestQuerySet:
        return self.filter(status__in=ChangeStatus.open_values())


class ChangeRequest(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    status = models.CharField(max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.CHECKING)
    source = models.CharField(max_length=10, choices=ChangeSource.choices, default=ChangeSource.PORTAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=dict)
    # The pattern version the change moves the environment to (an upgrade); None: the one it runs.
    pattern_version = models.ForeignKey(
        "catalogue.PatternVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    promoted_from = models.ForeignKey(
        "Environment", on_delete=models.SET_NULL, null=True, blank=True, related_name="promotions"
    )
    ttl_days = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    policy_results = models.JSONField(
        default=list, blank=True, help_text="[{policy, title, severity, stage, resource, value, message, field}]"
    )
    # What the environment costs a month once the change is applied (from the quote, then the plan),
    # the difference from what it costs now, and the estimate line by line.
    cost_estimate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_delta = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_breakdown = models.JSONField(default=dict, blank=True)
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
        return self.status in ChangeStatus.working_values()

    @property
    def denials(self) -> list[dict]:
        return [r for r in self.policy_results if r.get("severity") == "deny"]

    def finish(self, status: str, reason: str | None = None) -> None:
        """Close the change in a final state (applied, rejected, failed, cancelled), with why."""
        self.status, self.finished_at = status, timezone.now()
        fields = ["status", "finished_at", "updated_at"]
        if reason is not None:
            self.failure_reason = reason[:5000]
            fields.append("failure_reason")
        self.save(update_fields=fields)

    def reopen(self) -> None:
        """Back to checking, for a retry or a re-plan: a new plan will be checked and reviewed again."""
        self.status, self.finished_at, self.failure_reason = ChangeStatus.CHECKING, None, ""
        self.save(update_fields=["status", "finished_at", "failure_reason", "updated_at"])

    @property
    def target_version(self):
        return self.pattern_version or self.environment.pattern_version

    @property
    def destroys(self) -> bool:
        return self.action == ChangeAction.DESTROY
