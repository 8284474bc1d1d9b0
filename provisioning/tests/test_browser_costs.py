"""Costs a user looks at before reading: the live quote moving with the size, the dashboard's charts drawn."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from conftest import sign_in
from costs.models import CostRecord
from provisioning.models import Environment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def painted(page, canvas_id: str) -> bool:
    """Whether the canvas has any non-transparent pixel: Chart.js drew something."""
    return page.evaluate(
        """(id) => { const c = document.getElementById(id); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false; }""",
        canvas_id,
    )


def test_the_quote_changes_as_alice_picks_a_bigger_database(live_server, browser_page, catalogue, alice, payments):
    page = browser_page
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/catalogue/web-app/request/")
    total = page.locator("#quote-total")
    expect(total).to_contain_text("$47.20")
    expect(page.locator("#quote-budget")).to_contain_text("$5,000.00 of $5,000.00 left this month")

    page.select_option("#id_database_instance_class", "db.r6g.large")

    expect(total).to_contain_text("$216.56")


def test_the_team_dashboard_draws_its_charts(live_server, browser_page, catalogue, alice, payments):
    version = catalogue["dev-environment"].current_version
    for name, monthly in (("box", "10.08"), ("bigger-box", "40.00")):
        env = Environment.objects.create(
            team=payments, name=name, tier="dev", pattern_version=version, created_by=alice, status="active",
            estimated_monthly_cost=Decimal(monthly), expires_at=timezone.now() + timedelta(days=2),
        )  # fmt: skip
        assign_perm("provisioning.view_environment", payments.group, env)
        CostRecord.objects.create(environment=env, day=timezone.now().date(), amount=Decimal(monthly) / 30)
    page = browser_page
    sign_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/teams/payments/")

    expect(page.locator("#figures")).to_contain_text("$50.08")
    for chart in ("daily-chart", "pattern-chart", "tier-chart"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-drawn", "yes")
        assert painted(page, chart), f"{chart} is blank"
    expect(page.locator("tr.expiring")).to_have_count(2)

    # and the extend button of an expiring environment works from the dashboard
    page.locator("tr[data-environment=box] button:has-text('Extend 7 days')").click()
    expect(page).to_have_url(f"{live_server.url}/teams/payments/")
    expect(page.locator(".notice.success")).to_contain_text("box now expires on")
