from django.db import models

from catalogue.choices import Tier

__all__ = ["Tier", "EnvironmentStatus", "ChangeAction", "ChangeStatus", "ChangeSource", "RunKind", "RunStatus"]


class EnvironmentStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"  # create change not applied yet
    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    UPDATING = "updating", "Updating"
    FAILED = "failed", "Failed"
    DECOMMISSIONING = "decommissioning", "Decommissioning"
    DECOMMISSIONED = "decommissioned", "Decommissioned"
    WITHDRAWN = "withdrawn", "Withdrawn"  # create change rejected or cancelled: nothing was built


class ChangeAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DESTROY = "destroy", "Destroy"


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


class ChangeSource(models.TextChoices):
    PORTAL = "portal", "Portal form"
    API = "api", "REST API"
    CLI = "cli", "CLI"
    GITOPS = "gitops", "GitOps"
    SYSTEM = "system", "System"


class RunKind(models.TextChoices):
    PLAN = "plan", "Plan"
    APPLY = "apply", "Apply"
    DRIFT = "drift", "Drift check"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def finished_values(cls) -> list[str]:
        return [cls.SUCCEEDED, cls.FAILED, cls.CANCELLED]
