from django.db import models

__all__ = [
    "EnvironmentStatus",
    "ChangeStatus",
    "ChangeSource",
    "RunKind",
    "RunStatus",
    "ApprovalDecision",
    "FileSyncStatus",
]


class EnvironmentStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"  # create change not applied yet
    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    UPDATING = "updating", "Updating"
    FAILED = "failed", "Failed"
    DECOMMISSIONING = "decommissioning", "Decommissioning"
    DECOMMISSIONED = "decommissioned", "Decommissioned"
    WITHDRAWN = "withdrawn", "Withdrawn"  # create change rejected or cancelled: nothing was built

    @classmethod
    def gone_values(cls) -> list[str]:
        return [cls.DECOMMISSIONED, cls.WITHDRAWN]


class ChangeStatus(models.TextChoices):
    CHECKING = "checking", "Checking"
    REJECTED = "rejected", "Rejected"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.CHECKING, cls.AWAITING_APPROVAL, cls.APPROVED, cls.APPLYING]

    @classmethod
    def working_values(cls) -> list[str]:
        """Open and waiting for a machine (a run), not for people."""
        return [cls.CHECKING, cls.APPROVED, cls.APPLYING]


class ChangeSource(models.TextChoices):
    """The door a change came through; every door calls the same actions."""

    PORTAL = "portal", "Portal"
    ADMIN = "admin", "Django admin"
    API = "api", "REST API"
    CLI = "cli", "CLI"
    GITOPS = "gitops", "GitOps"
    CHAT = "chat", "Chat"
    SYSTEM = "system", "System"


class RunKind(models.TextChoices):
    PLAN = "plan", "Plan"
    APPLY = "apply", "Apply"
    DRIFT = "drift", "Drift check"
    PREVIEW = "preview", "Preview"  # a speculative plan (an upgrade before anyone asks for it): never applied


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def finished_values(cls) -> list[str]:
        return [cls.SUCCEEDED, cls.FAILED, cls.CANCELLED]


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class FileSyncStatus(models.TextChoices):
    """Where a GitOps request file stands after the last sync of its repository."""

    SUBMITTED = "submitted", "Change submitted"
    IN_SYNC = "in_sync", "In sync"
    ERROR = "error", "Error in the file"
    REFUSED = "refused", "Refused"
    REMOVED = "removed", "Removed: decommissioning"
    KEPT = "kept", "Removed from Git, still running"
    WAITING = "waiting", "Waiting: the environment is busy"
