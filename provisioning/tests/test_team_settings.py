"""Team leads set the budget, its enforcement and alert thresholds; platform engineers do it in bulk."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.tests.helpers import field_errors
from conftest import client_for
from governance.choices import AuditAction
from governance.models import AuditEvent, Team

URL = "/teams/payments/settings/"
VALID = {
    "monthly_budget": "7500",
    "budget_mode": "deny",
    "alert_thresholds": "50, 80, 100",
    "slack_webhook_url": "",
    "slack_channel": "#payments",
}


def test_a_lead_sets_budget_mode_and_thresholds(alice, payments):
    response = client_for(alice).post(URL, VALID)

    assert response.status_code == 302 and response["Location"] == "/teams/payments/"
    team = Team.objects.get(pk=payments.pk)
    assert (team.monthly_budget, team.budget_mode, team.budget_alert_thresholds) == (
        Decimal(7500),
        "deny",
        [50, 80, 100],
    )
    event = AuditEvent.objects.get(action=AuditAction.TEAM_SETTINGS_CHANGED)
    assert (
        event.actor == alice
        and "monthly_budget = 7500.00" in event.message
        and event.data["before"]["monthly_budget"] == "5000.00"
    )


def test_a_member_is_told_only_leads_may_and_an_outsider_sees_nothing(dave, bob, payments):
    refused = client_for(dave).post(URL, VALID)
    assert refused.status_code == 403 and "Only a lead of payments" in refused.content.decode()
    assert client_for(bob).get(URL).status_code == 404
    assert Team.objects.get(pk=payments.pk).monthly_budget == Decimal(5000)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly_budget", "-5", "Enter an amount in USD from 0 (no budget) to 10,000,000."),
        ("monthly_budget", "99999999999", "Enter an amount in USD from 0 (no budget) to 10,000,000."),
        ("alert_thresholds", "80, lots", "Give whole percentages separated by commas, such as 80, 100."),
        ("alert_thresholds", "0, 500", "Give one or more whole percentages from 1 to 200, such as 80, 100."),
        ("slack_webhook_url", "javascript:alert(1)", "Enter a valid URL."),
    ],
)
def test_bad_settings_are_refused_next_to_their_field_and_change_nothing(alice, payments, field, value, message):
    response = client_for(alice).post(URL, {**VALID, field: value})
    assert response.status_code == 400
    assert message in field_errors(response.content, field)
    assert Team.objects.get(pk=payments.pk).monthly_budget == Decimal(5000)
    assert not AuditEvent.objects.filter(action=AuditAction.TEAM_SETTINGS_CHANGED).exists()


def test_set_budget_sets_several_teams_at_once(payments, analytics):
    out = StringIO()
    call_command("set_budget", "payments", "analytics", "1200", "--mode", "deny", "--alerts", "90,100", stdout=out)
    for team in Team.objects.all():
        assert (team.monthly_budget, team.budget_mode, team.budget_alert_thresholds) == (
            Decimal(1200),
            "deny",
            [90, 100],
        )
    assert "payments: budget 1200.00 USD a month, deny" in out.getvalue()
    events = AuditEvent.objects.filter(action=AuditAction.TEAM_SETTINGS_CHANGED)
    assert sorted(e.actor_name for e in events) == ["idp-system", "idp-system"]  # set from the shell


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["payments", "-100"], "Enter an amount in USD from 0"),
        (["payments", "lots"], "Enter an amount in USD from 0"),
        (["nobody", "100"], "No team called nobody"),
        (["5000"], "Name at least one team"),
        (["payments", "100", "--alerts", "eighty"], "--alerts takes whole percentages"),
    ],
)
def test_set_budget_refuses_bad_input_and_changes_nothing(payments, argv, message):
    with pytest.raises(CommandError, match=message):
        call_command("set_budget", *argv)
    assert Team.objects.get(pk=payments.pk).monthly_budget == Decimal(5000)
