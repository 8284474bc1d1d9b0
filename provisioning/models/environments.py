from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from governance import roles
from governance.choices import Tier, Verb
from idp_portal.permissions import RestrictedQuerySet
from provisioning.choices import EnvironmentStatus

# Environment names end up in cloud resource names: keep them short and DNS-safe.
environment_name_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$",
    "Use 3 to 24 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
)


class EnvironmentQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        if action == Verb.VIEW:
            # Object permissions (guardian): the team's group sees its environments.
            from guardian.shortcuts import get_objects_for_user

            return get_objects_for_user(user, "provisioning.view_environment", klass=self, accept_global_perms=False)
        return self.filter(roles.environments_q(user, action))

    def restrict_system(self, action):
        return self if action in roles.SYSTEM_VERBS else self.none()

    def live(self) -> EnvironmentQuerySet:
        return self.exclude(status__in=EnvironmentStatus.gone_values())


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
    # Environments of one application in several tiers form its promotion path (dev -> test -> prod).
    application = models.CharField(max_length=24, blank=True, validators=[environment_name_validator])
    # What the last drift check found changed outside the portal ([] = in sync), and when it ran.
    drift = models.JSONField(default=list, blank=True)
    drift_checked_at = models.DateTimeField(null=True, blank=True)
    # Resources tagged with this environment that no state holds, found after an interrupted apply and not
    # adopted (their address was not certain): shown on the page until a retry finds none.
    orphans = models.JSONField(default=list, blank=True)
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
            models.UniqueConstraint(
                fields=["team", "application", "tier"],
                condition=~Q(status__in=["decommissioned", "withdrawn"]) & ~Q(application=""),
                name="one_live_environment_per_tier_of_an_application",
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
        return self.status not in EnvironmentStatus.gone_values()

    @property
    def is_built(self) -> bool:
        """Something may exist in the cloud: it can be updated or decommissioned."""
        return self.status in (EnvironmentStatus.ACTIVE, EnvironmentStatus.FAILED)
