"""The vocabulary of decisions, shared by every app: tiers, change actions, verbs, roles, reviewer groups."""

from django.db import models


class Tier(models.TextChoices):
    DEV = "dev", "Development"
    TEST = "test", "Test"
    PROD = "prod", "Production"

    @classmethod
    def ordered(cls, tiers) -> list[str]:
        """`tiers` in promotion order (dev, test, prod)."""
        order = list(cls.values)
        return sorted(tiers, key=lambda t: order.index(t) if t in order else len(order))


class ChangeAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DESTROY = "destroy", "Destroy"
    EXTEND = "extend", "Extend"  # beyond the tier's maximum: no plan, a reviewer's yes moves the date


class Verb(models.TextChoices):
    """What someone may do to a team's environments and changes (see governance.roles)."""

    VIEW = "view", "see"
    REQUEST = "request", "request environments"
    UPDATE = "update", "update"
    EXTEND = "extend", "extend"
    DECOMMISSION = "decommission", "decommission"
    CANCEL = "cancel", "cancel changes"
    RETRY = "retry", "retry changes"
    MANAGE = "manage", "manage the team"


class BudgetMode(models.TextChoices):
    APPROVE = "approve", "Finance approves changes that go over"
    DENY = "deny", "Changes that go over are rejected"


class TokenScope(models.TextChoices):
    """What a personal access token may do; write and approve include read."""

    READ = "read", "Read"
    WRITE = "write", "Read and write (request, change, extend, decommission)"
    APPROVE = "approve", "Read and approve (decide on changes waiting for your group)"


class MembershipRole(models.TextChoices):
    MEMBER = "member", "Member"
    LEAD = "lead", "Team lead"


class ReviewerGroup(models.TextChoices):
    """Reviewer groups are Django groups with exactly these names."""

    NETWORK = "network", "Network"
    SECURITY = "security", "Security"
    PLATFORM = "platform", "Platform"
    FINANCE = "finance", "Finance"


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
    CHANGE_RECOVERED = "change.recovered", "Stranded change recovered"
    APPROVAL_GIVEN = "approval.given", "Approval given"
    APPROVAL_REFUSED = "approval.refused", "Approval refused"
    APPROVAL_DENIED = "approval.denied", "Approval attempt denied"
    ENVIRONMENT_EXTENDED = "environment.extended", "Environment extended"
    ENVIRONMENT_EXPIRY_NOTICE = "environment.expiry_notice", "Expiry notice sent"
    ENVIRONMENT_EXPIRED = "environment.expired", "Environment expired"
    ENVIRONMENT_DRIFTED = "environment.drifted", "Drift detected"
    ENVIRONMENT_IN_SYNC = "environment.in_sync", "No drift"
    ENVIRONMENT_ORPHANS_ADOPTED = "environment.orphans_adopted", "Orphaned resources adopted into state"
    ENVIRONMENT_ORPHANS_FOUND = "environment.orphans_found", "Orphaned resources found"
    ENVIRONMENT_ORPHANS_DELETED = "environment.orphans_deleted", "Orphaned resources deleted"
    ENVIRONMENT_PROMOTED = "environment.promoted", "Change promoted"
    TEAM_SETTINGS_CHANGED = "team.settings_changed", "Team settings changed"
    TOKEN_CREATED = "token.created", "Access token created"
    TOKEN_REVOKED = "token.revoked", "Access token revoked"
    SLACK_LINKED = "slack.linked", "Slack account linked"
    SLACK_UNLINKED = "slack.unlinked", "Slack account unlinked"
    ACCESS_DENIED = "security.access_denied", "Access denied"
    RUN_STARTED = "run.started", "Run started"
    RUN_FINISHED = "run.finished", "Run finished"
    RUN_CANCELLED = "run.cancelled", "Run cancelled"
    RUN_REAPED = "run.reaped", "Run reaped"
    RUN_RETRIED = "run.retried", "Run retried"
    CATALOGUE_SYNCED = "catalogue.synced", "Catalogue synced"
