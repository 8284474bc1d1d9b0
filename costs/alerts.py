"""Budget thresholds and spend anomalies: each found and recorded once, whoever looks twice.

The unique constraints on BudgetAlert and SpendAnomaly are what make "once": two beat
processes or workers racing both try to insert; one wins, the other's insert fails and it
stays silent.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count

from costs.choices import BudgetBasis
from costs.models import BudgetAlert, CostRecord, SpendAnomaly

TRAILING_DAYS = 14
MIN_HISTORY_DAYS = 7  # fewer days of history say nothing about what is usual
ANOMALY_FACTOR = 2


def crossed_thresholds(team, *, actual: Decimal, projected: Decimal, today: date) -> list[BudgetAlert]:
    """The thresholds crossed this month (by actual spend, or else by projection) not reported before."""
    budget = Decimal(team.monthly_budget)
    if budget <= 0:
        return []
    month, new = today.replace(day=1), []
    for threshold in sorted(set(team.budget_alert_thresholds or [])):
        limit = budget * threshold / 100
        basis = BudgetBasis.ACTUAL if actual >= limit else BudgetBasis.PROJECTED if projected >= limit else None
        if basis is None:
            continue
        amount = actual if basis == BudgetBasis.ACTUAL else projected
        try:
            with transaction.atomic():
                new.append(
                    BudgetAlert.objects.create(
                        team=team, month=month, threshold=threshold, basis=basis, amount=amount, budget=budget
                    )
                )
        except IntegrityError:
            continue  # already told this month
    return new


def anomalies(environment_ids, *, day: date) -> list[SpendAnomaly]:
    """Environments whose spend on `day` is more than twice their trailing 14-day average."""
    trailing = (
        CostRecord.objects.filter(
            environment_id__in=environment_ids, day__gte=day - timedelta(days=TRAILING_DAYS), day__lt=day
        )
        .values("environment_id")
        .annotate(average=Avg("amount"), days=Count("id"))
    )
    usual = {row["environment_id"]: row for row in trailing if row["days"] >= MIN_HISTORY_DAYS}
    new = []
    for record in CostRecord.objects.filter(environment_id__in=list(usual), day=day):
        baseline = Decimal(usual[record.environment_id]["average"])
        if baseline <= 0 or record.amount <= baseline * ANOMALY_FACTOR:
            continue
        try:
            with transaction.atomic():
                new.append(
                    SpendAnomaly.objects.create(
                        environment_id=record.environment_id, day=day, amount=record.amount, baseline=baseline
                    )
                )
        except IntegrityError:
            continue
    return new
