from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from governance.choices import AuditAction, BudgetMode, MembershipRole, TokenScope, Verb
from idp_portal.permissions import RestrictedQuerySet

slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$",
    "Use 3 to 40 lower-case letters, digits and hyphens, starting with a letter.",
)


def default_alert_thresholds() -> list[int]:
    return [80, 100]


class TeamQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        memberships = Membership.objects.filter(user=user)
        if action == Verb.MANAGE:
            memberships = memberships.filter(role=MembershipRole.LEAD)
        elif action != Verb.VIEW:
            raise ValueError(f"teams are seen or managed, not {action!r}")
        return self.filter(pk__in=memberships.values("team_id"))

    def restrict_system(self, action):
        # The portal's own user acts for operators at the shell (`manage.py set_budget`).
        return self if action in (Verb.VIEW, Verb.MANAGE) else self.none()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=40, unique=True, validators=[slug_validator])
    cost_centre = models.CharField(max_length=40, help_text="Finance cost centre code, e.g. CC-1042.")
    monthly_budget = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)], help_text="USD per month."
    )
    budget_mode = models.CharField(max_length=10, choices=BudgetMode.choices, default=BudgetMode.APPROVE)
    budget_alert_thresholds = models.JSONField(
        default=default_alert_thresholds, help_text="Percent of the budget at which leads and Slack are told."
    )
    slack_webhook_url = models.URLField(blank=True, help_text="Slack incoming webhook for notifications.")
    slack_channel = models.CharField(max_length=80, blank=True)
    # Members are also in this Django group; environments grant it object permissions (guardian).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=f"team:{self.slug}")
        super().save(*args, **kwargs)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only: refused by the model, the queryset and (migration 0002) a database trigger."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, help_text="Username at the time, or 'system'.")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+")
    environment = models.ForeignKey(
        "provisioning.Environment", on_delete=models.PROTECT, null=True, related_name="audit_events"
    )
    change_request = models.ForeignKey(
        "provisioning.ChangeRequest", on_delete=models.PROTECT, null=True, related_name="audit_events"
    )
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["environment", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A personal access token for the API and the CLI: shown once, kept only as a hash.

    The secret is 256 random bits, so a fast hash is enough (a slow password hash protects
    guessable secrets, and would cost every API call); `prefix` finds the row without the secret.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What it is for, e.g. laptop CLI or CI pipeline.")
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.scope})"


class SlackIdentity(models.Model):
    """A Slack user (workspace and user id) who acts as a portal user in `/platform` and on buttons.

    Made only when the portal user, signed in, confirms a one-time link sent to that Slack user
    (`governance.slack_links`); never from an e-mail or a name in a Slack payload.
    """

    slack_team_id = models.CharField(max_length=32, help_text="Slack workspace id, e.g. T0123ABCD.")
    slack_user_id = models.CharField(max_length=32, help_text="Slack user id, e.g. U0123ABCD.")
    slack_user_name = models.CharField(max_length=80, blank=True, help_text="As Slack sent it when linking.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_identities")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at"]
        constraints = [
            models.UniqueConstraint(fields=["slack_team_id", "slack_user_id"], name="one_portal_user_per_slack_user")
        ]

    def __str__(self) -> str:
        return f"@{self.slack_user_name or self.slack_user_id} ({self.slack_team_id}) -> {self.user}"


class SlackLinkRequest(models.Model):
    """A one-time link offered to an unlinked Slack user: kept only as a hash, expires, used once."""

    slack_team_id = models.CharField(max_length=32)
    slack_user_id = models.CharField(max_length=32)
    slack_user_name = models.CharField(max_length=80, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for @{self.slack_user_name or self.slack_user_id} ({self.slack_team_id})"
