"""Prices for changes: the quote before the plan, the plan's estimate after it, the budget in between.

Provisioning owns environments, so the run-rate of a team and the change's delta are worked out
here; the price book, the estimator and the budget arithmetic are the costs app's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from catalogue.parameters import choices, defaults
from costs import budgets, prices
from costs.estimate import Estimate, estimate_plan
from costs.quote import quote
from governance.choices import ChangeAction
from provisioning.models import ChangeRequest, Environment

SUGGESTIONS = 3


def region_of(parameters: dict) -> str:
    return parameters.get("region") or settings.AWS_DEFAULT_REGION


def usage_for(version, tier: str) -> dict:
    return ((version.cost_model or {}).get("usage") or {}).get(tier) or {}


def quote_parameters(version, tier: str, parameters: dict) -> Estimate | None:
    """The live quote for a pattern version's parameters (schema defaults fill what is missing)."""
    values = {**defaults(version.parameters_schema), **parameters}
    return quote(version.cost_model, values, tier=tier, region=region_of(values), book=prices.current())


def plan_estimate(change: ChangeRequest, plan: dict) -> Estimate:
    environment = change.environment
    return estimate_plan(
        plan, prices.current(), region_of(change.parameters), usage_for(environment.pattern_version, environment.tier)
    )


def current_monthly(environment: Environment) -> Decimal:
    return Decimal(environment.estimated_monthly_cost or 0)


def team_run_rate(team, *, without: Environment | None = None) -> Decimal:
    live = Environment.objects.live().filter(team=team)
    if without is not None:
        live = live.exclude(pk=without.pk)
    return live.aggregate(total=Sum("estimated_monthly_cost"))["total"] or Decimal(0)


def record_estimate(change: ChangeRequest, estimate: Estimate | None, source: str) -> None:
    """Store what the environment will cost a month after the change, and the difference it makes."""
    set_estimate(change, estimate, source)
    change.save(update_fields=["cost_estimate", "cost_delta", "cost_breakdown", "updated_at"])


def set_estimate(change: ChangeRequest, estimate: Estimate | None, source: str) -> None:
    """The estimate on the change, unsaved (a speculative check prices a change it never stores)."""
    environment = change.environment
    if change.action == ChangeAction.DESTROY:
        change.cost_estimate, change.cost_delta = Decimal(0), -current_monthly(environment)
        change.cost_breakdown = {"source": source, "monthly": "0.00", "lines": []}
    elif estimate is None:
        change.cost_estimate = change.cost_delta = None
        change.cost_breakdown = {}
    else:
        change.cost_estimate = estimate.monthly
        change.cost_delta = estimate.monthly - current_monthly(environment)
        change.cost_breakdown = {"source": source, **estimate.as_dict()}


def projection(change: ChangeRequest) -> budgets.Projection:
    environment = change.environment
    days_to_expiry = None
    if environment.expires_at is not None:
        days_to_expiry = max(0, (environment.expires_at - timezone.now()).days + 1)
    return budgets.project(
        team=environment.team,
        run_rate=team_run_rate(environment.team, without=environment),
        delta=change.cost_delta or Decimal(0),
        days_to_expiry=days_to_expiry,
    )


def costs_input(change: ChangeRequest) -> dict:
    """What the budget policies read (`input.costs`): the numbers, and what would still fit."""
    if change.action == ChangeAction.DESTROY or change.cost_delta is None:
        return {}
    outlook = projection(change)
    facts = outlook.as_policy_input()
    facts["estimate"] = {
        "monthly": float(change.cost_estimate or 0),
        "source": (change.cost_breakdown or {}).get("source", ""),
        "text": budgets.money(Decimal(change.cost_estimate or 0)),
    }
    facts["fits"] = {
        "sizes": cheaper_sizes(change, outlook) if outlook.over_budget else [],
        "biggest_environments": biggest_environments(change),
    }
    return facts


def cheaper_sizes(change: ChangeRequest, outlook: budgets.Projection) -> list[str]:
    """Other choices of the parameters that drive the price, priced by the quote, that would fit."""
    environment = change.environment
    version = environment.pattern_version
    properties = version.parameters_schema.get("properties", {})
    current = current_monthly(environment)
    found = []
    for name in sorted(_priced_parameters(version.cost_model)):
        for value, label in choices(properties.get(name, {})) or []:
            if value == change.parameters.get(name):
                continue
            estimate = quote_parameters(version, environment.tier, {**change.parameters, name: value})
            if estimate is not None and estimate.monthly - current <= outlook.max_monthly_delta:
                title = properties[name].get("title", name)
                found.append((estimate.monthly, f"{title}: {label} ({budgets.money(estimate.monthly)} a month)"))
    return [text for _, text in sorted(found, key=lambda item: -item[0])[:SUGGESTIONS]]


def _priced_parameters(cost_model: dict) -> set[str]:
    names = set()

    def walk(value):
        if isinstance(value, str) and value.startswith("$"):
            names.add(value[1:])
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk((cost_model or {}).get("resources"))
    return names


def biggest_environments(change: ChangeRequest) -> list[str]:
    others = (
        Environment.objects.live()
        .filter(team=change.environment.team, estimated_monthly_cost__gt=0)
        .exclude(pk=change.environment_id)
        .order_by("-estimated_monthly_cost")[:SUGGESTIONS]
    )
    return [f"{env.name} ({budgets.money(env.estimated_monthly_cost)} a month)" for env in others]
