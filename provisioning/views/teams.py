from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.choices import Verb
from governance.models import Team
from provisioning import actions
from provisioning.choices import ChangeSource
from provisioning.forms import TeamSettingsForm
from provisioning.views.doors import forbidden


@login_required
def team_settings(request: HttpRequest, slug: str) -> HttpResponse:
    team = Team.objects.for_user(request.user, Verb.VIEW).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team, or you may not see it.")
    if not actions.teams.actor_manages(request.user, team):
        return forbidden(request, f"Only a lead of {team.slug} may change its budget and channels.")
    initial = {
        "monthly_budget": team.monthly_budget,
        "budget_mode": team.budget_mode,
        "alert_thresholds": ", ".join(str(t) for t in team.budget_alert_thresholds),
        "slack_webhook_url": team.slack_webhook_url,
        "slack_channel": team.slack_channel,
    }
    form = TeamSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_team_settings(
                actor=request.user, team=team, monthly_budget=data["monthly_budget"], budget_mode=data["budget_mode"],
                alert_thresholds=data["alert_thresholds"], slack_webhook_url=data["slack_webhook_url"],
                slack_channel=data["slack_channel"], source=ChangeSource.PORTAL,
            )  # fmt: skip
            messages.success(request, f"{team.name}'s settings are saved.")
            return redirect("provisioning:team_dashboard", slug=team.slug)
        except actions.RequestInvalid as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    form.add_error("alert_thresholds" if field == "budget_alert_thresholds" else field, problem)
    if request.method == "POST":
        status = 400
    return render(request, "provisioning/team_settings.html", {"team": team, "form": form}, status=status)
