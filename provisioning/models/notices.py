from __future__ import annotations

from django.db import models


class ExpiryNotice(models.Model):
    """A notice (7 days, 1 day, 2 hours before...) for one expiry date: the constraint makes it once.

    Extending moves `expires_at`, so the notices of the new date are new rows: they re-arm.
    """

    environment = models.ForeignKey("Environment", on_delete=models.CASCADE, related_name="expiry_notices")
    expires_at = models.DateTimeField()
    notice = models.CharField(max_length=10, help_text="How long before expiry, e.g. 7d, 1d, 2h.")
    sent = models.BooleanField(default=True, help_text="False: skipped because a later notice was due.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["environment", "expires_at", "notice"], name="one_notice_per_expiry")
        ]

    def __str__(self) -> str:
        return f"{self.environment} {self.notice} before {self.expires_at:%Y-%m-%d %H:%M}"
