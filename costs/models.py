from __future__ import annotations

from django.db import models

from costs.choices import BudgetBasis, SpendSource


class CostRecord(models.Model):
    """Actual spend of one environment on one day, read from the billing API by its `idp:environment` tag."""

    environment = models.ForeignKey("provisioning.Environment", on_delete=models.PROTECT, related_name="costs")
    day = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=4)
    currency = models.CharField(max_length=3, default="USD")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["environment", "day"], name="one_cost_record_per_day")]
        indexes = [models.Index(fields=["day", "environment"])]

    def __str__(self) -> str:
        return f"{self.environment} {self.day} {self.amount}"


class SpendSync(models.Model):
    """One run of the spend collector: when, from where, and what went wrong."""

    source = models.CharField(max_length=10, choices=SpendSource.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    records = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} sync {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class BudgetAlert(models.Model):
    """A team was told it crossed a share of its budget; the constraint makes it once per threshold per month."""

    team = models.ForeignKey("governance.Team", on_delete=models.CASCADE, related_name="budget_alerts")
    month = models.DateField(help_text="First day of the month.")
    threshold = models.PositiveSmallIntegerField(help_text="Percent of the monthly budget.")
    basis = models.CharField(max_length=10, choices=BudgetBasis.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month", "threshold"], name="one_budget_alert_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m} {self.threshold} %"


class SpendAnomaly(models.Model):
    """A day's spend more than twice the trailing 14-day average; reported once."""

    environment = models.ForeignKey("provisioning.Environment", on_delete=models.CASCADE, related_name="anomalies")
    day = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=4)
    baseline = models.DecimalField(max_digits=12, decimal_places=4, help_text="Trailing 14-day daily average.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["environment", "day"], name="one_anomaly_per_day")]

    def __str__(self) -> str:
        return f"{self.environment} {self.day} {self.amount} (usually {self.baseline})"
