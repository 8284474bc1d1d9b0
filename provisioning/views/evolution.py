"""Pages and buttons for what happens after creation: upgrade, promote, drift. Each calls one action."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance import roles
from governance.choices import Verb
from idp_portal.permissions import get_for_user
from provisioning import actions
from provisioning.choices import ChangeSource
from provisioning.forms import ParametersForm
from provisioning.models import Environment
from provisioning.upgrades import map_parameters, newer_version
from provisioning.views.doors import forbidden, perform, refused_on_form


def _environment(request: HttpRequest, pk: int) -> Environment:
    return get_for_user(Environment.objects.select_related("team", "pattern_version__pattern"), request.user, pk=pk)


def _back(environment: Environment) -> str:
    return reverse("provisioning:environment_detail", args=[environment.pk])


@login_required
def upgrade_environment(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest version's form, holding what runs now; preview its plan or ask for the upgrade."""
    environment = _environment(request, pk)
    if not roles.allows(request.user, Verb.UPDATE, environment.team, environment.tier):
        return forbidden(request, roles.refusal(request.user, Verb.UPDATE, environment.team, environment.tier))
    version = newer_version(environment)
    if version is None:
        return redirect(_back(environment))
    mapping = map_parameters(environment.parameters, version)
    form = ParametersForm(request.POST or None, version=version, initial=mapping.parameters)
    form.fields["reason"].label = "Why upgrade now?"
    status = 200
    if request.method == "POST" and form.is_valid():
        parameters = form.parameters(form.cleaned_data)
        try:
            if "preview" in request.POST:
                run = actions.preview_upgrade(actor=request.user, environment=environment, parameters=parameters)
                return redirect("provisioning:run_detail", pk=run.pk)
            change = actions.upgrade_environment(
                actor=request.user, environment=environment, parameters=parameters,
                reason=form.cleaned_data["reason"], source=ChangeSource.PORTAL,
            )  # fmt: skip
            return redirect("provisioning:change_detail", pk=change.pk)
        except actions.ActionError as exc:
            status = refused_on_form(form, exc)
    elif request.method == "POST":
        status = 400
    context = {"environment": environment, "version": version, "mapping": mapping, "form": form}
    return render(request, "provisioning/upgrade_form.html", context, status=status)


@login_required
@require_POST
def promote_environment(request: HttpRequest, pk: int) -> HttpResponse:
    environment = _environment(request, pk)
    return perform(
        request,
        lambda: actions.promote_environment(
            actor=request.user,
            environment=environment,
            reason=request.POST.get("reason", ""),
            source=ChangeSource.PORTAL,
        ),
        done=lambda change: (reverse("provisioning:change_detail", args=[change.pk]), ""),
        back=_back(environment),
    )


@login_required
@require_POST
def check_drift(request: HttpRequest, pk: int) -> HttpResponse:
    environment = _environment(request, pk)
    return perform(
        request,
        lambda: actions.check_drift(actor=request.user, environment=environment, source=ChangeSource.PORTAL),
        done=lambda run: (reverse("provisioning:run_detail", args=[run.pk]), ""),
        back=_back(environment),
    )


@login_required
@require_POST
def reconcile_drift(request: HttpRequest, pk: int) -> HttpResponse:
    environment = _environment(request, pk)
    return perform(
        request,
        lambda: actions.reconcile_drift(
            actor=request.user,
            environment=environment,
            reason=request.POST.get("reason", ""),
            source=ChangeSource.PORTAL,
        ),
        done=lambda change: (reverse("provisioning:change_detail", args=[change.pk]), ""),
        back=_back(environment),
    )
