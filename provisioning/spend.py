"""Actual spend, budget alerts and anomalies, run by Celery beat (`sync_spend_task`).

1. In the sandbox, bill what ran: the resources each environment holds in state, priced by the
   price book, by the hour; queued as moto's Cost Explorer answer to the collector's request.
2. Collect the last two weeks of daily spend per environment (costs/collector.py).
3. Tell teams that crossed a budget threshold (actual or projected) and about anomalies, once each.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import boto3
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from costs import alerts, budgets, prices, sandbox_billing
from costs.choices import BudgetBasis, SpendSource
from costs.collector import collect
from costs.cost_explorer import Window
from costs.models import SpendSync
from governance.choices import ChangeAction
from governance.models import Team
from provisioning import costing
from provisioning.choices import ChangeStatus
from provisioning.models import Environment
from provisioning.notifications import notify_team

logger = logging.getLogger(__name__)


def cost_explorer():
    options = {"region_name": "us-east-1"}  # Cost Explorer has one endpoint
    if settings.SANDBOX_CLOUD:
        options.update(
            endpoint_url=settings.AWS_ENDPOINT_URL, aws_access_key_id="sandbox", aws_secret_access_key="sandbox"
        )
    return boto3.client("ce", **options)


def source() -> str:
    return SpendSource.SANDBOX if settings.SANDBOX_CLOUD else SpendSource.AWS


def sync_spend(today: date | None = None) -> SpendSync:
    today = today or timezone.now().date()
    if settings.SANDBOX_CLOUD:
        bill_sandbox(today)
    environments = Environment.objects.values_list("pk", flat=True)
    sync = collect(cost_explorer(), source=source(), environments=environments, today=today)
    check_budgets(today)
    report_anomalies(today - timedelta(days=1))  # the last complete day
    return sync


def bill_sandbox(today: date) -> dict:
    window = Window.ending(today)
    tz = timezone.get_current_timezone()
    window_start = datetime.combine(window.start, time.min, tzinfo=tz)
    ran = (
        Environment.objects.filter(Q(status__in=["active", "updating", "failed", "decommissioning"]) | Q(
            changes__action=ChangeAction.DESTROY, changes__status=ChangeStatus.APPLIED,
            changes__finished_at__gte=window_start,
        ))
        .annotate(stopped=Max("changes__finished_at", filter=Q(changes__action=ChangeAction.DESTROY,
                                                               changes__status=ChangeStatus.APPLIED)))
        .select_related("pattern_version")
        .distinct()
    )  # fmt: skip
    running = [
        sandbox_billing.Running(
            id=env.pk,
            region=costing.region_of(env.parameters),
            resources=[(r["address"], r["type"], r.get("values") or {}) for r in env.resources],
            usage=costing.usage_for(env.pattern_version, env.tier),
            started=env.created_at,
            stopped=env.stopped if env.status == "decommissioned" else None,
        )
        for env in ran
    ]
    book = prices.current()
    found = sandbox_billing.amounts(running, window, book, tz)
    return sandbox_billing.seed(settings.AWS_ENDPOINT_URL, window, found, book.currency)


def check_budgets(today: date) -> list:
    told = []
    for team in Team.objects.filter(monthly_budget__gt=0):
        actual = budgets.month_to_date(team, today)
        outlook = budgets.project(team=team, run_rate=costing.team_run_rate(team), delta=0, today=today)
        for alert in alerts.crossed_thresholds(team, actual=actual, projected=outlook.projected, today=today):
            what = "has spent" if alert.basis == BudgetBasis.ACTUAL else "is on course to spend"
            subject = f"{team.name} {what} {alert.threshold} % of its monthly budget"
            body = (
                f"{team.name} {what} {budgets.money(alert.amount)} of its {budgets.money(alert.budget)} budget "
                f"in {today:%B %Y} (spent so far: {budgets.money(actual)}; projected: {budgets.money(outlook.projected)})."
            )
            transaction.on_commit(
                lambda t=team, s=subject, b=body: notify_team(
                    t.pk, s, b, reverse("provisioning:team_dashboard", args=[t.slug]), ":moneybag:"
                )
            )
            told.append(alert)
    return told


def report_anomalies(day: date) -> list:
    found = alerts.anomalies(Environment.objects.values_list("pk", flat=True), day=day)
    for anomaly in found:
        environment = Environment.objects.select_related("team").get(pk=anomaly.environment_id)
        subject = f"Unusual spend on {environment}"
        body = (
            f"{environment} cost {budgets.money(anomaly.amount)} on {day:%Y-%m-%d}, more than twice its usual "
            f"{budgets.money(anomaly.baseline)} a day (the 14 days before)."
        )
        path = reverse("provisioning:environment_detail", args=[environment.pk])
        transaction.on_commit(
            lambda e=environment, s=subject, b=body, p=path: notify_team(e.team_id, s, b, p, ":warning:")
        )
    return found


def sync_aws_budget(team_id: int) -> str:
    """The team's budget as an AWS Budget on the account the portal provisions into."""
    from costs.aws_budgets import ensure_team_budget

    options = {"region_name": "us-east-1"}
    if settings.AWS_ENDPOINT_URL:
        options["endpoint_url"] = settings.AWS_ENDPOINT_URL
    if settings.SANDBOX_CLOUD:
        options.update(aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    account = settings.AWS_ACCOUNT_ID or boto3.client("sts", **options).get_caller_identity()["Account"]
    return ensure_team_budget(boto3.client("budgets", **options), account, Team.objects.get(pk=team_id))
