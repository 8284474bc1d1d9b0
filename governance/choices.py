from django.db import models


class MembershipRole(models.TextChoices):
    MEMBER = "member", "Member"
    LEAD = "lead", "Team lead"


class ReviewerGroup(models.TextChoices):
    """Reviewer groups are Django groups with exactly these names."""

    NETWORK = "network", "Network"
    SECURITY = "security", "Security"
    PLATFORM = "platform", "Platform"
    FINANCE = "finance", "Finance"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AuditAction(models.TextChoices):
    CHANGE_SUBMITTED = "change.submitted", "Change submitted"
    CHANGE_CHECKED = "change.checked", "Policies evaluated"
    CHANGE_REJECTED = "change.rejected", "Change rejected"
    CHANGE_AWAITING_APPROVAL = "change.awaiting_approval", "Change awaiting approval"
    CHANGE_APPROVED = "change.approved", "Change approved"
    CHANGE_APPLIED = "change.applied", "Change applied"
    CHANGE_FAILED = "change.failed", "Change failed"
    CHANGE_CANCELLED = "change.cancelled", "Change cancelled"
    CHANGE_REPLANNED = "change.replanned", "Change re-planned"
    APPROVAL_GIVEN = "approval.given", "Approval given"
    APPROVAL_REFUSED = "approval.refused", "Approval refused"
    APPROVAL_DENIED = "approval.denied", "Approval attempt denied"
    RUN_STARTED = "run.started", "Run started"
    RUN_FINISHED = "run.finished", "Run finished"
    RUN_CANCELLED = "run.cancelled", "Run cancelled"
    RUN_REAPED = "run.reaped", "Run reaped"
    RUN_RETRIED = "run.retried", "Run retried"
    CATALOGUE_SYNCED = "catalogue.synced", "Catalogue synced"
