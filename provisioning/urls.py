from django.urls import path

from provisioning.views import (
    approvals,
    changes,
    dashboards,
    environments,
    evolution,
    gitops,
    quotes,
    requests,
    runs,
    teams,
)
from provisioning.views import slack as slack_door

app_name = "provisioning"

urlpatterns = [
    path("catalogue/<slug:slug>/request/", requests.request_environment, name="request"),
    path("catalogue/<slug:slug>/request/validate/", requests.validate_request_field, name="validate_request"),
    path("catalogue/<slug:slug>/request/quote/", quotes.quote, name="quote"),
    path("teams/<slug:slug>/", dashboards.team_dashboard, name="team_dashboard"),
    path("teams/<slug:slug>/settings/", teams.team_settings, name="team_settings"),
    path("organisation/costs/", dashboards.organisation_costs, name="organisation_costs"),
    path("environments/", environments.environment_list, name="environment_list"),
    path("environments/<int:pk>/", environments.environment_detail, name="environment_detail"),
    path("environments/<int:pk>/update/", requests.update_environment, name="update"),
    path("environments/<int:pk>/extend/", environments.extend_environment, name="extend"),
    path("environments/<int:pk>/upgrade/", evolution.upgrade_environment, name="upgrade"),
    path("environments/<int:pk>/promote/", evolution.promote_environment, name="promote"),
    path("environments/<int:pk>/drift/check/", evolution.check_drift, name="check_drift"),
    path("environments/<int:pk>/drift/reconcile/", evolution.reconcile_drift, name="reconcile_drift"),
    path("environments/<int:pk>/decommission/", environments.decommission_environment, name="decommission"),
    path("changes/<int:pk>/", changes.change_detail, name="change_detail"),
    path("changes/<int:pk>/cancel/", changes.cancel_change, name="cancel_change"),
    path("changes/<int:pk>/retry/", changes.retry_change, name="retry_change"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/log/", runs.run_log, name="run_log"),
    path("approvals/", approvals.approval_queue, name="approval_queue"),
    path("approvals/<int:pk>/decide/", approvals.decide, name="decide"),
    path("gitops/", gitops.gitops, name="gitops"),
    path("gitops/webhook/", gitops.webhook, name="gitops_webhook"),
    path("slack/commands/", slack_door.command, name="slack_command"),
    path("slack/interactions/", slack_door.interaction, name="slack_interaction"),
]
