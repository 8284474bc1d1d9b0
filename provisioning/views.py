from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance.models import AuditEvent, Team
from governance.permissions import CHANGE, get_for_user, reviewer_groups
from provisioning import services
from provisioning.choices import EnvironmentStatus
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.terraform.plan_diff import summary

LOG_TAIL_LINES = 40


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("provisioning:environment_list")


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
    context = {
        "teams": teams,
        "environments": environments,
        "recent_changes": recent_changes,
        "show_all": show_all,
    }
    return render(request, "provisioning/environment_list.html", context)


@login_required
def environment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    environment = get_for_user(
        Environment.objects.select_related("team", "pattern_version__pattern", "created_by"), request.user, pk=pk
    )
    changes = environment.changes.select_related("requested_by").order_by("-created_at")[:20]
    events = AuditEvent.objects.filter(environment=environment).order_by("-created_at")[:50]
    context = {
        "environment": environment,
        "changes": changes,
        "events": events,
        "can_decommission": environment.status in (EnvironmentStatus.ACTIVE, EnvironmentStatus.FAILED),
    }
    return render(request, "provisioning/environment_detail.html", context)


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
    requirements = change.requirements.filter(superseded=False).select_related("approval__reviewer")
    can_change = Environment.objects.for_user(request.user, CHANGE).filter(pk=change.environment_id).exists()
    groups = reviewer_groups(request.user)
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
        "requirements": requirements,
        "can_change": can_change,
        "awaiting_me": awaiting_me if change.status == "awaiting_approval" else [],
    }


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _change_context(request, pk)
    template = "provisioning/partials/change_live.html" if request.htmx else "provisioning/change_detail.html"
    return render(request, template, context)


def _act_on_change(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    """Run one operator action on a change the user may change; report the outcome on the change page."""
    change = get_for_user(ChangeRequest.objects.all(), request.user, CHANGE, pk=pk)
    try:
        action(actor=request.user, change=change)
        messages.success(request, done.format(pk=change.pk))
    except services.ChangeNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("provisioning:change_detail", pk=change.pk)


@login_required
@require_POST
def cancel_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_change(request, pk, services.cancel_change, "Change #{pk} cancelled.")


@login_required
@require_POST
def retry_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_change(request, pk, services.retry_change, "Change #{pk} is being planned again.")


@login_required
@require_POST
def decommission_environment(request: HttpRequest, pk: int) -> HttpResponse:
    environment = get_for_user(Environment.objects.all(), request.user, CHANGE, pk=pk)
    try:
        change = services.decommission_environment(actor=request.user, environment=environment)
    except services.ChangeNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("provisioning:environment_detail", pk=environment.pk)
    return redirect("provisioning:change_detail", pk=change.pk)


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
    """htmx: the log text written since `offset`, and the next poller while the run is not finished."""
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
