"""Under the content security policy the pages still work in a real browser, and nothing is blocked."""

import re

import pytest
from playwright.sync_api import expect

from conftest import request_change, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_request_form_and_dashboard_work_with_no_policy_violation(live_server, browser_page, catalogue, alice,
                                                                      payments):  # fmt: skip
    page, blocked = browser_page, []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else 0)
    request_change(alice, payments, catalogue["dev-environment"], name="box")
    sign_in(page, live_server.url, "alice")

    # inline validation (htmx and the form's script, both from static files)
    page.goto(f"{live_server.url}/catalogue/web-app/request/")
    storage = page.locator("#id_database_storage_gb")
    storage.fill("5")
    storage.dispatch_event("change")
    expect(page.locator("#field-database_storage_gb .errors")).to_have_text("Enter a value of at least 20.")

    # the budget bar's width is drawn from its data attribute, the charts from their JSON
    page.goto(f"{live_server.url}/")
    bar = page.locator(".budget-bar span").first
    expect(bar).to_have_attribute("style", re.compile(r"width: \d+(\.\d+)?%;"))
    page.goto(f"{live_server.url}/teams/{payments.slug}/")
    expect(page.locator("#pattern-chart")).to_be_visible()

    assert blocked == []
