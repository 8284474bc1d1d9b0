from django.db import models


class BudgetBasis(models.TextChoices):
    ACTUAL = "actual", "Actual spend"
    PROJECTED = "projected", "Projected spend"


class SpendSource(models.TextChoices):
    AWS = "aws", "AWS Cost Explorer"
    SANDBOX = "sandbox", "Sandbox billing (moto's Cost Explorer)"
