from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from idp_portal.permissions import get_for_user
from provisioning.models import Run
from provisioning.terraform.plan_diff import summary


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_for_user(
        Run.objects.select_related("environment__team", "change_request").defer("plan_file", "plan_json"),
        request.user,
        pk=pk,
    )
    context = {"run": run, "offset": len(run.log), "plan_summary": summary(run.plan_changes)}
    return render(request, "provisioning/run_detail.html", context)


@login_required
def run_log(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the log text written since `offset` (appended to the page's log) and the new offset (out of band)."""
    run = get_for_user(Run.objects.defer("plan_file", "plan_json"), request.user, pk=pk)
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    context = {"run": run, "new_text": run.log[offset:], "offset": len(run.log)}
    response = render(request, "provisioning/partials/run_log.html", context)
    if run.is_finished:
        response["HX-Refresh"] = "true"  # show the final status, timings and plan diff
    return response
