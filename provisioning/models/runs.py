from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.choices import Verb
from idp_portal.permissions import RestrictedQuerySet
from provisioning.choices import RunKind, RunStatus
from provisioning.models.changes import ChangeRequest
from provisioning.models.environments import Environment


class RunQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        if action != Verb.VIEW:
            raise ValueError(f"runs are only seen; act on their change instead of {action!r}")
        changes = ChangeRequest.objects.for_user(user, Verb.VIEW)
        environments = Environment.objects.for_user(user, Verb.VIEW)
        return self.filter(Q(change_request__in=changes) | Q(environment__in=environments))

    def unfinished(self) -> RunQuerySet:
        return self.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


class Run(models.Model):
    """One Terraform execution. Its log is appended while it runs and streamed to the page."""

    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="runs")
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    kind = models.CharField(max_length=10, choices=RunKind.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    destroy = models.BooleanField(default=False, help_text="A plan that destroys every resource.")
    # A preview plans another version or other parameters than those the environment runs.
    target_version = models.ForeignKey(
        "catalogue.PatternVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parameters = models.JSONField(null=True, blank=True)
    log = models.TextField(blank=True, default="")
    plan_file = models.BinaryField(null=True, blank=True, editable=False)
    plan_json = models.JSONField(null=True, blank=True, editable=False)
    plan_changes = models.JSONField(default=list, blank=True, help_text="Readable diff of the plan.")
    has_changes = models.BooleanField(null=True)
    exit_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    cancel_requested = models.BooleanField(default=False)
    retry_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    delete_orphans = models.JSONField(
        default=list, blank=True, help_text="ARNs of orphans the team chose to delete before this run plans."
    )
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
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()
