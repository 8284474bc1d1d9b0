"""Budgets checked at request time: a `deny` budget rejects with the numbers and what fits;
an `approve` budget sends the change to finance, who approves it from the queue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import client_for, request_change
from costs.models import CostRecord
from governance.choices import BudgetMode
from provisioning.actions import decide_change
from provisioning.choices import ChangeStatus
from provisioning.models import Environment
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan


@pytest.fixture
def tight_budget(payments, alice, dev_environment):
    """payments has spent $119.50 of a $120 budget this month; a running environment costs $10 a month.

    Any change of more than $15 a month goes over, whatever the day of the month (a day's share of it
    is then more than the 50 cents left)."""
    running = Environment.objects.create(
        team=payments, name="old-box", tier="dev", pattern_version=dev_environment, created_by=alice,
        status="active", estimated_monthly_cost=Decimal(10),
    )  # fmt: skip
    CostRecord.objects.create(environment=running, day=timezone.now().date(), amount=Decimal("119.50"))
    payments.monthly_budget = Decimal(120)
    payments.save()
    return payments


def test_a_change_over_a_deny_budget_is_rejected_with_by_how_much_and_what_fits(tight_budget, alice, web_app):
    tight_budget.budget_mode = BudgetMode.DENY
    tight_budget.save()

    change = request_change(
        alice, tight_budget, web_app, name="shop", ttl_days=7, database_instance_class="db.r6g.large"
    )

    assert change.status == ChangeStatus.REJECTED
    [denial] = change.denials
    assert denial["policy"] == "params-team-budget"
    assert "over its budget of $120.00 ($119.50 spent so far" in denial["message"]
    assert denial["value"].endswith(" over")
    assert "It fits if it adds at most" in denial["remediation"]
    assert "old-box ($10.00 a month)" in denial["remediation"]
    assert change.cost_estimate > Decimal(200) and change.cost_breakdown["source"] == "quote"
    assert not change.runs.exists(), "nothing is planned for a rejected request"


def test_a_change_within_a_deny_budget_goes_ahead(tight_budget, alice, dev_environment):
    tight_budget.budget_mode = BudgetMode.DENY
    tight_budget.monthly_budget = Decimal(10000)
    tight_budget.save()
    change = request_change(alice, tight_budget, dev_environment, name="box")
    assert change.status == ChangeStatus.CHECKING and not change.denials


def test_a_change_over_an_approve_budget_waits_for_finance_who_approves_it(
    tight_budget, alice, web_app, nina, sam, fiona
):
    # given an approve budget: the request is warned, planned, and its plan goes over
    change = request_change(alice, tight_budget, web_app, name="shop", ttl_days=7)
    assert change.status == ChangeStatus.CHECKING
    assert [r["policy"] for r in change.policy_results] == ["params-team-budget-review"]
    change = finish_plan(change, captured_plan("web-app-dev"))

    # then finance is asked, beside network and security, and sees the cost in the queue
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    assert sorted(change.requirements.values_list("group", flat=True)) == ["finance", "network", "security"]
    assert change.cost_breakdown["source"] == "plan" and change.cost_estimate == Decimal("47.20")
    queue = client_for(fiona).get("/approvals/").content.decode()
    assert f"#{change.pk} create shop" in queue and "$47.20 a month" in queue

    # when fiona approves from the queue (the others too), the change is applied
    assert (
        client_for(fiona)
        .post(f"/approvals/{change.pk}/decide/", {"group": "finance", "decision": "approved"})
        .status_code
        == 200
    )
    decide_change(actor=nina, change=change, group="network", decision="approved")
    decide_change(actor=sam, change=change, group="security", decision="approved")
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    finish_apply(change)
    assert Environment.objects.get(pk=change.environment_id).estimated_monthly_cost == Decimal("47.20")


def test_a_team_without_a_budget_is_never_over(payments, alice, web_app):
    payments.monthly_budget = Decimal(0)
    payments.save()
    change = finish_plan(request_change(alice, payments, web_app, name="shop"), captured_plan("web-app-dev"))
    assert "finance" not in change.requirements.values_list("group", flat=True)


def test_decommissioning_frees_the_run_rate(alice, payments, dev_environment):
    change = finish_apply(
        finish_plan(request_change(alice, payments, dev_environment, name="box"), captured_plan("dev-environment-dev"))
    )
    environment = Environment.objects.get(pk=change.environment_id)
    assert environment.estimated_monthly_cost == Decimal("11.00")

    from provisioning import actions

    destroy = actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    assert destroy.cost_delta == Decimal("-11.00") and destroy.cost_estimate == 0
