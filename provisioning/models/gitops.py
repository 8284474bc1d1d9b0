"""Git repositories the portal follows, and the sync state of each request file in them."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from idp_portal.permissions import RestrictedQuerySet
from provisioning.choices import FileSyncStatus


def _fernet() -> Fernet:
    # A key of its own, derived from SECRET_KEY: the secret is unreadable from a database dump alone.
    digest = hashlib.sha256(b"idp-gitops-webhook-secret:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class RepositoryQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        # A repository shows to the members of a team it may manage (admin manages them).
        return self.filter(teams__memberships__user=user).distinct()

    def restrict_system(self, action):
        return self


class Repository(models.Model):
    """A Git repository of request files: pushes (webhook) and a periodic poll sync it."""

    name = models.SlugField(max_length=60, unique=True)
    url = models.CharField(max_length=500, help_text="https://… URL, or a path on the portal's machine (file://…).")
    branch = models.CharField(max_length=200, default="main")
    folder = models.CharField(max_length=300, blank=True, help_text="Only files under it, e.g. environments/.")
    teams = models.ManyToManyField("governance.Team", related_name="repositories",
                                   help_text="The teams whose environments its files may manage.")  # fmt: skip
    prune = models.BooleanField(default=False, help_text="Decommission the environment of a file removed from Git.")
    webhook_secret_sealed = models.TextField(blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    last_synced_commit = models.CharField(max_length=40, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sync_started_at = models.DateTimeField(null=True, blank=True, help_text="Set while a worker syncs it.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RepositoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.name

    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_sealed = _fernet().encrypt(secret.encode()).decode() if secret else ""

    @property
    def webhook_secret(self) -> str:
        if not self.webhook_secret_sealed:
            return ""
        try:
            return _fernet().decrypt(self.webhook_secret_sealed.encode()).decode()
        except InvalidToken:  # SECRET_KEY changed: the secret must be set again
            return ""

    @property
    def has_webhook_secret(self) -> bool:
        return bool(self.webhook_secret_sealed)


class RequestFileSyncQuerySet(RestrictedQuerySet):
    def restrict(self, user, action):
        return self.filter(team__memberships__user=user)

    def restrict_system(self, action):
        return self


class RequestFileSync(models.Model):
    """Where one request file of a repository stands: the commit last applied and what came of it."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=500)
    team = models.ForeignKey("governance.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    environment = models.ForeignKey("Environment", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="request_files")  # fmt: skip
    change = models.ForeignKey("ChangeRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    blob = models.CharField(max_length=40, blank=True, help_text="Git blob of the content last handled.")
    last_commit = models.CharField(max_length=40, blank=True, help_text="The commit last applied.")
    author = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=FileSyncStatus.choices)
    message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestFileSyncQuerySet.as_manager()

    class Meta:
        ordering = ["repository", "path"]
        constraints = [models.UniqueConstraint(fields=["repository", "path"], name="one_sync_state_per_file")]

    def __str__(self) -> str:
        return f"{self.repository}:{self.path}"
