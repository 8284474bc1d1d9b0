"""The live quote beside the request form: the monthly price as the user picks sizes, before any plan."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from costs import budgets
from governance.models import Team
from provisioning import costing
from provisioning.forms import RequestForm
from provisioning.views.requests import _pattern


def form_parameters(form: RequestForm) -> dict:
    """The parameters that convert so far, field by field: the quote works on a half-filled form and
    needs none of the request's checks (names, time to live), only the values that set the price."""
    found = {}
    for name in form.parameter_names:
        field = form.fields[name]
        try:
            value = field.clean(field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name)))
        except ValidationError:
            continue
        if value not in (None, "", []):
            found[name] = value
    return found


@login_required
@require_POST
def quote(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = _pattern(request, slug)
    version = pattern.current_version
    form = RequestForm(request.POST, version=version, user=request.user)
    parameters = form_parameters(form)
    tier = request.POST.get("tier") if request.POST.get("tier") in version.allowed_tiers else version.allowed_tiers[0]
    estimate = costing.quote_parameters(version, tier, parameters)
    context = {"estimate": estimate, "tier": tier, "outlook": None}
    team = Team.objects.for_user(request.user).filter(pk=_int(request.POST.get("team"))).first()
    if estimate is not None and team is not None:
        days = _int(request.POST.get("ttl_days")) or (version.tier_rules(tier) or {}).get("default_ttl_days")
        outlook = budgets.project(
            team=team, run_rate=costing.team_run_rate(team), delta=estimate.monthly, days_to_expiry=days
        )
        context.update(team=team, outlook=outlook, used=_share(outlook.projected, outlook.budget))
    return render(request, "provisioning/partials/quote.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _share(part: Decimal, whole: Decimal) -> int:
    return min(100, int(part * 100 / whole)) if whole else 0
