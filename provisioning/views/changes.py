from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance import roles
from governance.choices import Verb
from idp_portal.permissions import get_for_user
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.models import ChangeRequest, Run
from provisioning.terraform.plan_diff import stateful_replacements, summary
from provisioning.views.doors import perform

LOG_TAIL_LINES = 40


def _change_context(request: HttpRequest, pk: int) -> dict:
    change = get_for_user(
        ChangeRequest.objects.select_related(
            "environment__team", "environment__pattern_version__pattern", "requested_by", "plan_run"
        ),
        request.user,
        pk=pk,
    )
    runs = list(change.runs.defer("plan_file", "plan_json").order_by("queued_at"))
    active = next((r for r in reversed(runs) if not r.is_finished), None)
    tail = "\n".join((active or (runs[-1] if runs else None) or Run(log="")).log.splitlines()[-LOG_TAIL_LINES:])
    plan_changes = change.plan_run.plan_changes if change.plan_run else []
    requirements = change.requirements.current().select_related("approval__reviewer")
    environment = change.environment
    may = {
        v
        for v in (Verb.CANCEL, Verb.RETRY, Verb.REQUEST)
        if roles.allows(request.user, v, environment.team, environment.tier)
    }
    if change.requested_by_id == request.user.pk:
        may.add(Verb.CANCEL)
    groups = roles.reviewer_groups(request.user)
    awaiting_me = [
        r
        for r in requirements
        if r.group in groups and not hasattr(r, "approval") and change.requested_by_id != request.user.pk
    ]
    return {
        "change": change,
        "runs": runs,
        "active_run": active,
        "log_tail": tail,
        "plan_changes": plan_changes,
        "plan_summary": summary(plan_changes),
        "data_loss": stateful_replacements(plan_changes) if change.action != "destroy" else [],
        "requirements": requirements,
        "may": may,
        "awaiting_me": awaiting_me if change.status == ChangeStatus.AWAITING_APPROVAL else [],
    }


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _change_context(request, pk)
    template = "provisioning/partials/change_live.html" if request.htmx else "provisioning/change_detail.html"
    return render(request, template, context)


def _act_on_change(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    """Run one action on a change the user may see; the action decides whether they may do it."""
    change = get_for_user(ChangeRequest.objects.all(), request.user, pk=pk)
    page = reverse("provisioning:change_detail", args=[change.pk])
    return perform(
        request,
        lambda: action(actor=request.user, change=change, source=ChangeSource.PORTAL),
        done=lambda _: (page, done.format(pk=change.pk)),
        back=page,
    )


@login_required
@require_POST
def cancel_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_change(request, pk, actions.cancel_change, "Change #{pk} cancelled.")


@login_required
@require_POST
def retry_change(request: HttpRequest, pk: int) -> HttpResponse:
    # Ticked on the environment page: orphans to delete before the plan (the action checks them against its list).
    chosen = request.POST.getlist("delete_orphans")
    retry = functools.partial(actions.retry_change, delete_orphans=chosen)
    deleting = f", after deleting the {len(chosen)} resource(s) you ticked" if chosen else ""
    return _act_on_change(request, pk, retry, "Change #{pk} is being planned again" + deleting + ".")
