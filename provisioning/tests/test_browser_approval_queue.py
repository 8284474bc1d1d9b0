"""nina works the approval queue in a real browser (headless Debian Chromium)."""

import json

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from governance.choices import ChangeAction
from governance.policy import POLICY_DIR
from provisioning.choices import ChangeStatus, RunKind, RunStatus
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment, Run
from provisioning.terraform.plan_diff import describe_plan


def awaiting_change(catalogue, requester, team, name, groups):
    """A web-app create change whose real sandbox plan waits for `groups`."""
    plan = json.loads((POLICY_DIR / "tests" / "fixtures" / "web-app-dev.json").read_text())["plan"]
    version = catalogue["web-app"].current_version
    environment = Environment.objects.create(
        team=team, name=name, tier="dev", pattern_version=version, parameters={}, created_by=requester
    )
    change = ChangeRequest.objects.create(
        environment=environment,
        action=ChangeAction.CREATE,
        status=ChangeStatus.AWAITING_APPROVAL,
        requested_by=requester,
        reason="Checkout service for the spring sale",
    )
    run = Run.objects.create(
        environment=environment, change_request=change, kind=RunKind.PLAN, status=RunStatus.SUCCEEDED,
        plan_json=plan, plan_changes=describe_plan(plan),
    )  # fmt: skip
    change.plan_run = run
    change.save()
    for group in groups:
        ApprovalRequirement.objects.create(change_request=change, group=group, plan_run=run, reasons=[f"{group} rule"])
    return change


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nina_approves_a_change_for_network_from_the_queue_without_a_reload(
    live_server, browser_page, catalogue, alice, nina, payments
):
    change = awaiting_change(catalogue, alice, payments, "checkout", ["network", "security"])
    page = browser_page

    # given nina opens her queue
    sign_in(page, live_server.url, "nina")
    page.click("nav >> text=Approvals")
    item = page.locator(f"article[data-change='{change.pk}']")
    expect(item).to_contain_text("checkout")
    expect(item).to_contain_text("Network")
    expect(item).to_contain_text("requested by alice")
    expect(item).to_contain_text("Checkout service for the spring sale")

    # and sees first what concerns the network team, then the whole plan
    concerning = item.locator(".concerning")
    expect(concerning).to_contain_text("module.pattern.aws_lb.this")
    expect(concerning).to_contain_text("module.pattern.aws_internet_gateway.this")
    expect(concerning).not_to_contain_text("module.pattern.aws_db_instance.this")
    item.locator("summary:has-text('Whole plan:')").click()
    expect(item.locator(f"#plan-diff-{change.requirements.get(group='network').pk}")).to_contain_text(
        "module.pattern.aws_db_instance.this"
    )

    # when she approves with a comment
    page.evaluate("window.__marker = 'same page'")
    item.locator("textarea[name=comment]").fill("Only 80/443 reach the load balancer")
    item.locator("button:has-text('Approve for network')").click()

    # then the item turns into the outcome, in place, and the change still waits for security
    outcome = page.locator(f"article.decision-result[data-change='{change.pk}']")
    expect(outcome).to_contain_text("You approved change")
    expect(outcome).to_contain_text("Waiting for the other groups")
    assert page.evaluate("window.__marker") == "same page"
    approval = change.requirements.get(group="network").approval
    assert approval.reviewer == nina and approval.comment == "Only 80/443 reach the load balancer"
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING_APPROVAL

    # and the queue no longer shows it to her
    page.reload()
    expect(page.locator(f"article[data-change='{change.pk}']")).to_have_count(0)
    expect(page.locator("#queue-empty")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rejection_without_a_reason_is_refused_in_place(live_server, browser_page, catalogue, alice, nina, payments):
    change = awaiting_change(catalogue, alice, payments, "checkout", ["network"])
    page = browser_page
    sign_in(page, live_server.url, "nina")
    page.goto(f"{live_server.url}/approvals/")

    page.locator(f"article[data-change='{change.pk}'] button:has-text('Reject')").click()

    expect(page.locator(f"article.decision-result[data-change='{change.pk}'] [role=alert]")).to_contain_text(
        "Say why you reject it"
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING_APPROVAL
