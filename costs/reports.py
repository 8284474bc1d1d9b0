"""Actual spend, summed for pages: a constant number of queries however many environments and days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from costs.models import CostRecord

OTHERS = 0  # the series key of everything outside the top environments


def spend_by_environment(environment_ids, start: date, end: date) -> dict[int, Decimal]:
    """{environment id: spend from `start` to `end` included}."""
    rows = (
        CostRecord.objects.filter(environment_id__in=environment_ids, day__gte=start, day__lte=end)
        .values("environment_id")
        .annotate(total=Sum("amount"))
    )
    return {row["environment_id"]: row["total"] for row in rows}


def daily_series(environment_ids, start: date, end: date, *, top: list[int]) -> dict:
    """Daily spend of each of the `top` environments, and of all the others together, per day."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    index = {day: n for n, day in enumerate(days)}
    series: dict[int, list[float]] = {env: [0.0] * len(days) for env in [*top, OTHERS]}
    records = CostRecord.objects.filter(environment_id__in=environment_ids, day__gte=start, day__lte=end)
    for row in records.filter(environment_id__in=top).values("environment_id", "day", "amount"):
        series[row["environment_id"]][index[row["day"]]] += float(row["amount"])
    for row in records.exclude(environment_id__in=top).values("day").annotate(total=Sum("amount")):
        series[OTHERS][index[row["day"]]] += float(row["total"])
    return {"days": [d.isoformat() for d in days], "series": series}


def history(environment_id: int, start: date, end: date) -> dict:
    rows = dict(
        CostRecord.objects.filter(environment_id=environment_id, day__gte=start, day__lte=end).values_list(
            "day", "amount"
        )
    )
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return {"days": [d.isoformat() for d in days], "amounts": [float(rows.get(d, 0)) for d in days]}
