"""The request form (a new environment) and the update form (new parameters for one that runs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalogue.models import Pattern
from governance import roles
from governance.choices import Verb
from idp_portal.permissions import get_for_user
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.forms import ParametersForm, RequestForm, UpdateForm
from provisioning.models import ChangeRequest, Environment
from provisioning.views.doors import forbidden, refused_on_form


def _pattern(request: HttpRequest, slug: str) -> Pattern:
    return get_for_user(Pattern.objects.prefetch_related("versions"), request.user, slug=slug, is_active=True)


def _previous_change(request: HttpRequest, pattern: Pattern) -> ChangeRequest | None:
    """The rejected request being fixed (`?from=<change id>`), if the user may see it."""
    change_id = request.GET.get("from", "")
    if not (change_id.isascii() and change_id.isdigit() and len(change_id) < 19):  # "²" and 10^5000 are no ids
        return None
    return (
        ChangeRequest.objects.for_user(request.user)
        .select_related("environment")
        .filter(pk=int(change_id), environment__pattern_version__pattern=pattern, status=ChangeStatus.REJECTED)
        .first()
    )


def _show_violations(form: ParametersForm, change: ChangeRequest) -> list[dict]:
    """Put each policy violation next to the form field it maps to; return the ones without a field."""
    unplaced = []
    for result in change.policy_results:
        name = result.get("field")
        if name in form.fields:
            bound = form[name]
            bound.policy_violations = [*getattr(bound, "policy_violations", []), result]
        else:
            unplaced.append(result)
    return unplaced


@login_required
def request_environment(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = _pattern(request, slug)
    version = pattern.current_version
    previous = _previous_change(request, pattern) if request.method == "GET" else None
    initial = None
    if previous is not None:
        initial = {
            **previous.parameters,
            "team": previous.environment.team_id,
            "name": previous.environment.name,
            "application": previous.environment.application,
            "tier": previous.environment.tier,
            "ttl_days": previous.ttl_days,
            "reason": previous.reason,
        }
    form = RequestForm(request.POST or None, initial=initial, version=version, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = actions.request_environment(
                actor=request.user,
                team=data["team"],
                pattern_version=version,
                name=data["name"],
                application=data["application"],
                tier=data["tier"],
                ttl_days=data["ttl_days"],
                parameters=data["parameters"],
                reason=data["reason"],
                source=ChangeSource.PORTAL,
            )
            return redirect("provisioning:change_detail", pk=change.pk)
        except actions.ActionError as exc:
            status = refused_on_form(form, exc)
    else:
        status = 400 if request.method == "POST" else 200
    unplaced = _show_violations(form, previous) if previous is not None else []
    context = {"pattern": pattern, "version": version, "form": form, "previous": previous, "unplaced": unplaced}
    return render(request, "provisioning/request_form.html", context, status=status)


@login_required
@require_POST
def validate_request_field(request: HttpRequest, slug: str) -> HttpResponse:
    """Inline validation (htmx): validate the whole form, return the one field that changed."""
    pattern = _pattern(request, slug)
    form = RequestForm(request.POST, version=pattern.current_version, user=request.user)
    name = request.POST.get("_field", "")
    if name not in form.fields or name == "pattern_version":
        return HttpResponse(status=204)
    form.is_valid()
    return render(request, "provisioning/partials/field.html", {"field": form[name]})


@login_required
def update_environment(request: HttpRequest, pk: int) -> HttpResponse:
    """The request form prefilled with what runs now; submitting it plans an update change."""
    environment = get_for_user(
        Environment.objects.select_related("team", "pattern_version__pattern"), request.user, pk=pk
    )
    if not Environment.objects.for_user(request.user, Verb.UPDATE).filter(pk=pk).exists():
        return forbidden(request, roles.refusal(request.user, Verb.UPDATE, environment.team, environment.tier))
    status = 200
    form = UpdateForm(request.POST or None, environment=environment)
    if request.method == "POST" and form.is_valid():
        try:
            change = actions.update_environment(
                actor=request.user,
                environment=environment,
                parameters=form.cleaned_data["parameters"],
                reason=form.cleaned_data["reason"],
                source=ChangeSource.PORTAL,
            )
            return redirect("provisioning:change_detail", pk=change.pk)
        except actions.ActionError as exc:
            status = refused_on_form(form, exc)
    elif request.method == "POST":
        status = 400
    context = {"environment": environment, "version": environment.pattern_version, "form": form}
    return render(request, "provisioning/update_form.html", context, status=status)
