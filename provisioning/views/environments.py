from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from costs import budgets, reports
from governance import roles
from governance.choices import Verb
from governance.models import AuditEvent, Team
from idp_portal.permissions import get_for_user
from provisioning import actions, orphan_cleanup, promotion
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.forms import ExtendForm
from provisioning.models import ChangeRequest, Environment
from provisioning.monitoring import monitoring
from provisioning.upgrades import newer_version
from provisioning.validation import extension_limit
from provisioning.views.doors import perform

HISTORY_DAYS = 90


@login_required
def environment_list(request: HttpRequest) -> HttpResponse:
    teams = list(Team.objects.for_user(request.user))
    environments = (
        Environment.objects.for_user(request.user)
        .select_related("team", "pattern_version__pattern")
        .order_by("team__name", "name")
    )
    show_all = request.GET.get("show") == "all"
    if not show_all:
        environments = environments.live()
    recent_changes = (
        ChangeRequest.objects.filter(environment__in=Environment.objects.for_user(request.user))
        .select_related("environment__team", "requested_by")
        .order_by("-created_at")[:10]
    )
    context = {"teams": teams, "environments": environments, "recent_changes": recent_changes, "show_all": show_all}
    return render(request, "provisioning/environment_list.html", context)


def allowed_verbs(user, environment: Environment) -> set[str]:
    """What the user may do to this environment (the buttons shown); the actions check again."""
    verbs = (Verb.UPDATE, Verb.EXTEND, Verb.DECOMMISSION, Verb.RETRY)
    return {verb for verb in verbs if roles.allows(user, verb, environment.team, environment.tier)}


@login_required
def environment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    environment = get_for_user(
        Environment.objects.select_related("team", "pattern_version__pattern", "created_by"), request.user, pk=pk
    )
    changes = environment.changes.select_related("requested_by").order_by("-created_at")[:20]
    events = AuditEvent.objects.filter(environment=environment).order_by("-created_at")[:50]
    open_change = next((c for c in changes if c.is_open), None)
    failed_change = changes[0] if changes and changes[0].status == ChangeStatus.FAILED else None
    today = timezone.now().date()
    spend = reports.history(environment.pk, today - timedelta(days=HISTORY_DAYS - 1), today)
    first, _ = budgets.month_bounds(today)
    context = {
        "environment": environment,
        "month_to_date": reports.spend_by_environment([environment.pk], first, today).get(environment.pk, 0),
        "spend_chart": {
            "kind": "bar",
            "labels": spend["days"],
            "datasets": [{"label": "actual spend a day", "data": spend["amounts"]}],
        },
        "spent_days": sum(1 for amount in spend["amounts"] if amount),
        "changes": changes,
        "events": events,
        "open_change": open_change,
        "failed_change": failed_change,
        "orphans": [{**item, "deletable": item["type"] in orphan_cleanup.DELETERS} for item in environment.orphans],
        "may": allowed_verbs(request.user, environment),
        "extend_form": ExtendForm(),
        "extension_limit": extension_limit(environment),
        "newer_version": newer_version(environment),
        "promotion_path": promotion.path(environment),
        "next_tier": promotion.next_tier(environment) if environment.application else None,
        "monitoring": monitoring(environment.outputs, environment.parameters, sandbox=settings.SANDBOX_CLOUD),
    }
    return render(request, "provisioning/environment_detail.html", context)


def _environment(request: HttpRequest, pk: int) -> Environment:
    return get_for_user(Environment.objects.select_related("team"), request.user, pk=pk)


@login_required
@require_POST
def decommission_environment(request: HttpRequest, pk: int) -> HttpResponse:
    environment = _environment(request, pk)
    return perform(
        request,
        lambda: actions.decommission_environment(
            actor=request.user,
            environment=environment,
            confirm_name=request.POST.get("confirm_name", ""),
            reason=request.POST.get("reason", ""),
            source=ChangeSource.PORTAL,
        ),
        done=lambda change: (reverse("provisioning:change_detail", args=[change.pk]), ""),
        back=reverse("provisioning:environment_detail", args=[environment.pk]),
    )


@login_required
@require_POST
def extend_environment(request: HttpRequest, pk: int) -> HttpResponse:
    environment = _environment(request, pk)
    back = reverse("provisioning:environment_detail", args=[environment.pk])
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = target  # the dashboard's extend button comes back to the dashboard
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["days"]))
        return redirect(back)
    return perform(
        request,
        lambda: actions.extend_environment(
            actor=request.user,
            environment=environment,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
            source=ChangeSource.PORTAL,
        ),  # fmt: skip
        done=lambda result: _extended(result, back),
        back=back,
    )


def _extended(result, back: str) -> tuple[str, str]:
    """Extended at once (the environment), or beyond the maximum: a change waiting for review."""
    if isinstance(result, ChangeRequest):
        return reverse("provisioning:change_detail", args=[result.pk]), "The platform team reviews this extension."
    return back, f"{result.name} now expires on {result.expires_at:%Y-%m-%d}."
