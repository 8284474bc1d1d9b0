from django.db import models

from costs.choices import CostKind


class CostRecord(models.Model):
    """Spend of one environment on one day, estimated from plans or read from the cloud's billing API."""

    environment = models.ForeignKey("provisioning.Environment", on_delete=models.PROTECT, related_name="costs")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=CostKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=4)
    currency = models.CharField(max_length=3, default="USD")
    breakdown = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["environment", "day", "kind"], name="one_cost_record_per_day_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.environment} {self.day} {self.kind} {self.amount}"
