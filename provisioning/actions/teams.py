"""A team lead sets the team's budget, its enforcement and alert thresholds, and its Slack channel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from governance.audit import record
from governance.choices import AuditAction, BudgetMode, Verb
from governance.models import Team
from provisioning.actions.authorize import operator_note
from provisioning.actions.errors import Forbidden, NotFound, RequestInvalid
from provisioning.choices import ChangeSource

MAX_BUDGET = Decimal("10000000")  # ten million a month: beyond it, a typo


def update_team_settings(
    *,
    actor,
    team: Team,
    monthly_budget=None,
    budget_mode: str | None = None,
    alert_thresholds=None,
    slack_webhook_url: str | None = None,
    slack_channel: str | None = None,
    source: str = ChangeSource.PORTAL,
) -> Team:
    """Change what is given (None leaves a setting as it is); every change is audited."""
    if not Team.objects.for_user(actor, Verb.VIEW).filter(pk=team.pk).exists() and not actor_manages(actor, team):
        raise NotFound("No such team, or you may not see it.")
    if not actor_manages(actor, team):
        raise Forbidden(f"Only a lead of {team.slug} may change its budget and channels.")
    changes, errors = {}, {}
    if monthly_budget is not None:
        try:
            amount = Decimal(str(monthly_budget)).quantize(Decimal("0.01"))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_BUDGET:
            errors["monthly_budget"] = [f"Enter an amount in USD from 0 (no budget) to {MAX_BUDGET:,.0f}."]
        else:
            changes["monthly_budget"] = amount
    if budget_mode is not None:
        if budget_mode not in BudgetMode.values:
            errors["budget_mode"] = [f"Choose {' or '.join(BudgetMode.values)}."]
        else:
            changes["budget_mode"] = budget_mode
    if alert_thresholds is not None:
        thresholds = sorted(set(alert_thresholds)) if isinstance(alert_thresholds, list | tuple) else None
        if not thresholds or not all(
            isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= 200 for t in thresholds
        ):
            errors["budget_alert_thresholds"] = ["Give one or more whole percentages from 1 to 200, such as 80, 100."]
        else:
            changes["budget_alert_thresholds"] = thresholds
    if slack_webhook_url is not None:
        if slack_webhook_url and not _valid_url(slack_webhook_url):
            errors["slack_webhook_url"] = ["Enter the https:// address Slack gave for the incoming webhook."]
        else:
            changes["slack_webhook_url"] = slack_webhook_url
    if slack_channel is not None:
        changes["slack_channel"] = slack_channel[:80]
    if errors:
        raise RequestInvalid(errors)
    note, operator = operator_note(actor, team)
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        before = {key: str(getattr(locked, key)) for key in changes}
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save(update_fields=list(changes) or None)
        shown = {
            key: ("(set)" if key == "slack_webhook_url" and value else str(value)) for key, value in changes.items()
        }
        record(
            AuditAction.TEAM_SETTINGS_CHANGED,
            actor=actor,
            team=locked,
            message=f"{actor} changed {locked.slug}'s settings via {source}{note}: "
            + ", ".join(f"{key} = {value}" for key, value in shown.items()),
            before={k: ("(hidden)" if k == "slack_webhook_url" else v) for k, v in before.items()},
            source=source,
            **operator,
        )
        if "monthly_budget" in changes and settings.AWS_BUDGETS_ENABLED:
            transaction.on_commit(lambda: _sync_aws_budget(locked.pk))
    return locked


def actor_manages(actor, team: Team) -> bool:
    return Team.objects.for_user(actor, Verb.MANAGE).filter(pk=team.pk).exists()


def _valid_url(value: str) -> bool:
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        return False
    return True


def _sync_aws_budget(team_id: int) -> None:
    from provisioning.tasks import sync_aws_budget_task

    sync_aws_budget_task.delay(team_id)
