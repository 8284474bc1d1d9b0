"""What each team runs, what it costs, when it expires; the home page; the organisation's costs.

A constant number of queries per page, however many environments and days of spend.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from costs import budgets, reports
from costs.collector import last_sync
from costs.models import SpendSync
from governance import roles
from governance.choices import Tier, Verb
from governance.models import Team
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment

EXPIRING_DAYS = 3
PAGE_SIZE = 50
TOP_SERIES = 8
SORTS = {
    "name": "name",
    "status": "status",
    "tier": "tier",
    "cost": "estimated_monthly_cost",
    "expires": "expires_at",
    "owner": "created_by__username",
}


COLUMNS = [("name", "Environment"), ("status", "Status"), ("tier", "Tier"), ("cost", "A month (estimate)"),
           ("expires", "Expires"), ("owner", "Owner")]  # fmt: skip


def _team(request: HttpRequest, slug: str) -> tuple[Team, roles.TeamAccess]:
    team = Team.objects.filter(slug=slug).first()
    access = roles.TeamAccess(request.user, team) if team else None
    if access is None or not (access.sees or roles.sees_all_costs(request.user)):
        raise Http404("No such team, or you may not see it.")
    return team, access


@login_required
def team_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    team, access = _team(request, slug)
    today = timezone.now().date()
    first, days_in_month = budgets.month_bounds(today)
    filters = {
        "show": "all" if request.GET.get("show") == "all" else "live",
        "tier": request.GET.get("tier") if request.GET.get("tier") in Tier.values else "",
        "pattern": request.GET.get("pattern", ""),
        "sort": request.GET.get("sort", "name") if request.GET.get("sort", "name").lstrip("-") in SORTS else "name",
    }
    environments = _filtered(team, filters)
    if request.GET.get("format") == "csv":
        return _csv(team, _annotated(access, list(environments), first, today))
    page = Paginator(environments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _annotated(access, list(page.object_list), first, today)

    live = Environment.objects.live().filter(team=team)
    totals = live.aggregate(count=Count("id"), run_rate=Sum("estimated_monthly_cost"))
    run_rate = totals["run_rate"] or Decimal(0)
    outlook = budgets.project(team=team, run_rate=run_rate, delta=Decimal(0), today=today)
    top = list(
        live.filter(estimated_monthly_cost__gt=0)
        .order_by("-estimated_monthly_cost", "name")
        .only("pk", "name", "estimated_monthly_cost")[:TOP_SERIES]
    )
    team_ids = Environment.objects.filter(team=team).values("pk")
    daily = reports.daily_series(team_ids, first, today, top=[env.pk for env in top])
    daily_chart = _daily_chart(daily, top, team.monthly_budget / days_in_month if team.monthly_budget else None)
    by_pattern, by_tier = _run_rate_by_pattern_and_tier(live)
    sync, failed_sync = _last_syncs()
    context = {
        "team": team,
        "environments": rows,
        "page": page,
        "daily_chart": daily_chart,
        "daily_table": [
            (day, [dataset["data"][n] for dataset in daily_chart["datasets"]])
            for n, day in enumerate(daily_chart["labels"])
        ],
        "figures": {
            "live": totals["count"],
            "run_rate": run_rate,
            "month_to_date": outlook.month_to_date,
            "forecast": outlook.projected,
            "budget": team.monthly_budget,
            "used": int(outlook.projected * 100 / team.monthly_budget) if team.monthly_budget else None,
        },
        "pattern_chart": _breakdown_chart(by_pattern),
        "tier_chart": _breakdown_chart({Tier(tier).label: total for tier, total in by_tier.items()}, kind="bar"),
        "patterns": Environment.objects.filter(team=team)
        .values_list("pattern_version__pattern__slug", "pattern_version__pattern__name")
        .distinct()
        .order_by("pattern_version__pattern__name"),
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "sync": sync,
        "failed_sync": failed_sync,
        "member": access.sees,
        "tiers": Tier.choices,
        "manages": access.manages,
        "columns": COLUMNS,
    }
    return render(request, "provisioning/team_dashboard.html", context)


def _run_rate_by_pattern_and_tier(live) -> tuple[dict, dict]:
    """{pattern name: monthly run-rate}, {tier: monthly run-rate} of the live environments, in one query."""
    by_pattern: dict[str, Decimal] = {}
    by_tier: dict[str, Decimal] = {}
    rows = live.values_list("pattern_version__pattern__name", "tier").annotate(total=Sum("estimated_monthly_cost"))
    for pattern, tier, total in rows.order_by():
        by_pattern[pattern] = by_pattern.get(pattern, Decimal(0)) + (total or Decimal(0))
        by_tier[tier] = by_tier.get(tier, Decimal(0)) + (total or Decimal(0))
    return by_pattern, by_tier


def _last_syncs() -> tuple[SpendSync | None, SpendSync | None]:
    """The last successful spend sync, and the last failed one when it came after it (usually one query)."""
    latest = SpendSync.objects.first()
    if latest is None or latest.ok:
        return latest, None
    return last_sync(), latest


def _filtered(team: Team, filters: dict):
    environments = (
        Environment.objects.filter(team=team)
        .select_related("pattern_version__pattern", "created_by")
        .defer("parameters", "outputs", "resources", "tags", "pattern_version__parameters_schema",
               "pattern_version__module_files", "pattern_version__tiers", "pattern_version__cost_model",
               "pattern_version__resources")
    )  # fmt: skip
    if filters["show"] != "all":
        environments = environments.live()
    if filters["tier"]:
        environments = environments.filter(tier=filters["tier"])
    if filters["pattern"]:
        environments = environments.filter(pattern_version__pattern__slug=filters["pattern"])
    sort = filters["sort"]
    return environments.order_by(("-" if sort.startswith("-") else "") + SORTS[sort.lstrip("-")], "name")


def _annotated(access: roles.TeamAccess, environments: list, first, today) -> list:
    """Month-to-date spend, expiry and what the user may do, for the rows shown (one query, not one a row)."""
    month_to_date = reports.spend_by_environment([env.pk for env in environments], first, today)
    extend_tiers = {tier for tier in Tier.values if access.allows(Verb.EXTEND, tier)}
    now = timezone.now()
    for env in environments:
        env.month_to_date = month_to_date.get(env.pk, Decimal(0))
        env.expiring = bool(env.expires_at and env.is_live and env.expires_at - now <= timedelta(days=EXPIRING_DAYS))
        env.may_extend = bool(env.is_live and env.expires_at and env.tier in extend_tiers)
    return environments


def _daily_chart(daily: dict, top: list[Environment], budget_per_day) -> dict:
    names = {env.pk: env.name for env in top}
    datasets = [
        {"label": names.get(key, "other environments"), "data": values, "stack": "spend"}
        for key, values in daily["series"].items()
        if any(values)
    ]
    if budget_per_day is not None:
        datasets.append(
            {"type": "line", "label": "budget per day", "data": [float(budget_per_day)] * len(daily["days"])}
        )
    return {"kind": "bar", "stacked": True, "labels": daily["days"], "datasets": datasets}


def _breakdown_chart(totals: dict, kind: str = "doughnut") -> dict:
    totals = {label: value or Decimal(0) for label, value in totals.items()}
    labels = sorted(totals, key=lambda label: -totals[label])
    return {
        "kind": kind,
        "labels": labels,
        "datasets": [{"label": "a month", "data": [float(totals[label]) for label in labels]}],
        "rows": [(label, totals[label]) for label in labels],
    }


def _csv(team: Team, environments: list[Environment]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{team.slug}-environments.csv"'
    writer = csv.writer(response)
    writer.writerow(["name", "status", "tier", "pattern", "version", "owner", "estimated_monthly_usd",
                     "month_to_date_usd", "expires_at"])  # fmt: skip
    for env in environments:
        writer.writerow(
            [
                env.name, env.status, env.tier, env.pattern_version.pattern.slug, env.pattern_version.version,
                env.created_by.username, env.estimated_monthly_cost if env.estimated_monthly_cost is not None else "",
                env.month_to_date, env.expires_at.isoformat() if env.expires_at else "",
            ]
        )  # fmt: skip
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's teams at a glance, their changes in flight, and what waits for the user's review."""
    today = timezone.now().date()
    first, _ = budgets.month_bounds(today)
    teams = list(Team.objects.for_user(request.user).order_by("name"))
    live = Environment.objects.live().filter(team__in=teams)
    run_rates = dict(live.values("team").annotate(total=Sum("estimated_monthly_cost")).values_list("team", "total"))
    counts = {row["team"]: row["n"] for row in live.values("team").annotate(n=Count("id"))}
    soon = timezone.now() + timedelta(days=EXPIRING_DAYS)
    expiring = {
        row["team"]: row["n"] for row in live.filter(expires_at__lte=soon).values("team").annotate(n=Count("id"))
    }
    spent = dict(
        Environment.objects.filter(team__in=teams, costs__day__gte=first, costs__day__lte=today)
        .values("team").annotate(total=Sum("costs__amount")).values_list("team", "total")
    )  # fmt: skip
    for team in teams:
        team.run_rate = run_rates.get(team.pk) or Decimal(0)
        team.live_count = counts.get(team.pk, 0)
        team.expiring_count = expiring.get(team.pk, 0)
        team.month_to_date = spent.get(team.pk) or Decimal(0)
        team.used = int(team.month_to_date * 100 / team.monthly_budget) if team.monthly_budget else None
    in_flight = (
        ChangeRequest.objects.open()
        .filter(environment__in=Environment.objects.for_user(request.user))
        .select_related("environment__team", "requested_by")
        .order_by("-created_at")[:10]
    )
    context = {
        "teams": teams,
        "in_flight": in_flight,
        "waiting_for_me": ApprovalRequirement.objects.pending_for(request.user).count(),
        "reviewer": bool(roles.reviewer_groups(request.user)),
        "sees_all_costs": roles.sees_all_costs(request.user),
    }
    return render(request, "provisioning/home.html", context)


@login_required
def organisation_costs(request: HttpRequest) -> HttpResponse:
    """Every team's spend against its budget, the costliest environments, untagged spend, expiry savings."""
    if not roles.sees_all_costs(request.user):
        raise Http404("The organisation's costs are for the platform and finance groups.")
    from provisioning import tag_audit

    today = timezone.now().date()
    first, _ = budgets.month_bounds(today)
    live = Environment.objects.live()
    run_rates = dict(live.values("team").annotate(total=Sum("estimated_monthly_cost")).values_list("team", "total"))
    spent = dict(
        Environment.objects.filter(costs__day__gte=first, costs__day__lte=today)
        .values("team").annotate(total=Sum("costs__amount")).values_list("team", "total")
    )  # fmt: skip
    teams = list(Team.objects.order_by("name"))
    for team in teams:
        team.run_rate = run_rates.get(team.pk) or Decimal(0)
        team.month_to_date = spent.get(team.pk) or Decimal(0)
        team.used = int(team.month_to_date * 100 / team.monthly_budget) if team.monthly_budget else None
    costliest = list(
        live.filter(estimated_monthly_cost__gt=0).select_related("team").order_by("-estimated_monthly_cost")[:10]
    )
    month_to_date = reports.spend_by_environment([env.pk for env in costliest], first, today)
    for env in costliest:
        env.month_to_date = month_to_date.get(env.pk, Decimal(0))
    context = {
        "teams": teams,
        "costliest": costliest,
        "untagged": tag_audit.untagged_resources(),
        "savings": expiry_savings(today),
        "team_chart": {
            "kind": "bar",
            "labels": [team.name for team in teams],
            "datasets": [
                {"label": "month to date", "data": [float(team.month_to_date) for team in teams]},
                {"label": "budget", "data": [float(team.monthly_budget) for team in teams], "color": "#9aa3b5"},
            ],
        },
    }
    return render(request, "provisioning/organisation_costs.html", context)


def expiry_savings(today) -> dict:
    """What environments decommissioned at expiry would have cost had they kept running, up to today."""
    expired = ChangeRequest.objects.filter(
        action="destroy", status="applied", source="system", cost_delta__lt=0, finished_at__isnull=False
    ).values_list("cost_delta", "finished_at")
    saved = Decimal(0)
    for delta, finished in expired:
        days = max(0, (today - finished.date()).days)
        saved += -delta * days / Decimal("30.4")
    return {"environments": len(expired), "saved": saved.quantize(Decimal("0.01"))}
