"""Budgets: what a team will spend this month if a change goes ahead, and what would still fit.

projected = month-to-date actual spend
          + the run-rate of the team's live environments for the rest of the month
          + this change's monthly delta, prorated to the days it will run this month
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from costs.models import CostRecord

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value).quantize(CENT, ROUND_HALF_UP):,}"


@dataclass(frozen=True)
class Projection:
    budget: Decimal
    mode: str
    month_to_date: Decimal
    run_rate: Decimal  # monthly, the team's live environments other than the one changing
    delta: Decimal  # monthly cost change this change makes
    days_in_month: int
    days_left: int  # today included
    days_running: int  # days left this month the change's cost runs (less when it expires sooner)

    @property
    def rest_of_month(self) -> Decimal:
        return (self.run_rate * self.days_left / self.days_in_month).quantize(CENT, ROUND_HALF_UP)

    @property
    def delta_this_month(self) -> Decimal:
        return (self.delta * self.days_running / self.days_in_month).quantize(CENT, ROUND_HALF_UP)

    @property
    def projected(self) -> Decimal:
        return self.month_to_date + self.rest_of_month + self.delta_this_month

    @property
    def room(self) -> Decimal:
        """What is left of the budget this month before this change."""
        return self.budget - self.month_to_date - self.rest_of_month

    @property
    def over_by(self) -> Decimal:
        return max(Decimal(0), self.projected - self.budget).quantize(CENT, ROUND_HALF_UP)

    @property
    def over_budget(self) -> bool:
        return self.budget > 0 and self.delta > 0 and self.projected > self.budget

    @property
    def max_monthly_delta(self) -> Decimal:
        """The largest monthly cost the change could add and still fit."""
        if self.days_running <= 0:
            return Decimal(0)
        return max(Decimal(0), self.room * self.days_in_month / self.days_running).quantize(CENT, ROUND_HALF_UP)

    @property
    def max_days_running(self) -> int | None:
        """Fewest days to keep it this month so that it fits (None: no shorter life fits)."""
        if self.delta <= 0 or self.room <= 0:
            return None
        days = int(self.room * self.days_in_month / self.delta)
        return days if 0 < days < self.days_running else None

    def as_policy_input(self) -> dict:
        numbers = {
            "budget": self.budget,
            "month_to_date": self.month_to_date,
            "rest_of_month": self.rest_of_month,
            "delta": self.delta,
            "delta_this_month": self.delta_this_month,
            "projected": self.projected,
            "over_by": self.over_by,
            "max_monthly_delta": self.max_monthly_delta,
        }
        return {
            "mode": self.mode,
            "over_budget": self.over_budget,
            "days_left": self.days_left,
            "max_days_running": self.max_days_running,
            **{key: float(value) for key, value in numbers.items()},
            "text": {key: money(value) for key, value in numbers.items()},
        }


def month_bounds(today: date) -> tuple[date, int]:
    return today.replace(day=1), calendar.monthrange(today.year, today.month)[1]


def month_to_date(team, today: date | None = None) -> Decimal:
    today = today or timezone.now().date()
    first, _ = month_bounds(today)
    total = CostRecord.objects.filter(environment__team=team, day__gte=first, day__lte=today).aggregate(
        total=Sum("amount")
    )["total"]
    return (total or Decimal(0)).quantize(CENT, ROUND_HALF_UP)


def project(
    *, team, run_rate: Decimal, delta: Decimal, today: date | None = None, days_to_expiry: int | None = None
) -> Projection:
    today = today or timezone.now().date()
    _, days = month_bounds(today)
    left = days - today.day + 1
    running = left if days_to_expiry is None else max(0, min(left, days_to_expiry))
    return Projection(
        budget=Decimal(team.monthly_budget),
        mode=team.budget_mode,
        month_to_date=month_to_date(team, today),
        run_rate=Decimal(run_rate),
        delta=Decimal(delta),
        days_in_month=days,
        days_left=left,
        days_running=running,
    )
