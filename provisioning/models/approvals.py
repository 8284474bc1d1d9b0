from __future__ import annotations

from django.conf import settings
from django.db import models

from governance import roles
from governance.choices import ReviewerGroup
from provisioning.choices import ApprovalDecision, ChangeStatus
from provisioning.models.changes import ChangeRequest


class ApprovalRequirementQuerySet(models.QuerySet):
    def current(self) -> ApprovalRequirementQuerySet:
        """For the plan under review now; a re-plan supersedes the older ones."""
        return self.filter(superseded=False)

    def pending(self) -> ApprovalRequirementQuerySet:
        return self.current().filter(approval__isnull=True)

    def pending_for(self, user) -> ApprovalRequirementQuerySet:
        """What waits for one of the user's reviewer groups; never the user's own changes."""
        return (
            self.pending()
            .filter(group__in=roles.reviewer_groups(user), change_request__status=ChangeStatus.AWAITING_APPROVAL)
            .exclude(change_request__requested_by=user)
        )


class ApprovalRequirement(models.Model):
    """One reviewer group whose approval a change needs, for one reviewed plan."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="requirements")
    group = models.CharField(max_length=20, choices=ReviewerGroup.choices)
    reasons = models.JSONField(default=list, help_text="Why the rules ask for this group.")
    plan_run = models.ForeignKey("provisioning.Run", on_delete=models.PROTECT, null=True, related_name="+")
    # A re-plan supersedes the requirements (and approvals) given for the old plan.
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApprovalRequirementQuerySet.as_manager()

    class Meta:
        ordering = ["group"]

    def __str__(self) -> str:
        return f"{self.group} for change #{self.change_request_id}"


class Approval(models.Model):
    requirement = models.OneToOneField(ApprovalRequirement, on_delete=models.PROTECT, related_name="approval")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=10, choices=ApprovalDecision.choices)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.decision} by {self.reviewer} ({self.requirement.group})"

    @property
    def group(self) -> str:
        return self.requirement.group
