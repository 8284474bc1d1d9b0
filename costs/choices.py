from django.db import models


class CostKind(models.TextChoices):
    ESTIMATED = "estimated", "Estimated (from the plan)"
    ACTUAL = "actual", "Actual (from billing)"
