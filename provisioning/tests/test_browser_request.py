"""alice requests the public-facing web application in a real browser (headless Debian Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from provisioning.models import ChangeRequest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_alice_finds_the_web_application_fixes_a_rejected_field_and_submits(
    live_server, browser_page, catalogue, alice, payments
):
    page = browser_page

    # given alice signs in through the login page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{live_server.url}/")

    # when she searches the catalogue for the web application
    page.click("nav >> text=Catalogue")
    expect(page.locator("article.card")).to_have_count(len(catalogue))  # every shipped pattern
    page.fill("#id_q", "web application")
    cards = page.locator("article.card")
    expect(cards).to_have_count(1)  # filtered in place by htmx
    expect(cards.first).to_contain_text("Public-facing web application")

    # and opens its request form
    cards.first.get_by_role("link", name="Request").click()
    expect(page).to_have_url(f"{live_server.url}/catalogue/web-app/request/")
    expect(page.locator("h1")).to_have_text("Request: Public-facing web application")

    # then a storage of 5 GiB is rejected next to its field as she leaves it (inline, htmx) ...
    page.fill("#id_name", "checkout-dev")
    storage = page.locator("#id_database_storage_gb")
    storage.fill("5")
    storage.dispatch_event("change")
    storage_errors = page.locator("#field-database_storage_gb .errors")
    expect(storage_errors).to_have_text("Enter a value of at least 20.")
    expect(page.locator("#field-app_port .errors")).to_have_count(0)

    # ... and again when she submits anyway, with nothing created
    page.click("button:has-text('Submit request')")
    expect(storage_errors).to_have_text("Enter a value of at least 20.")
    expect(page.locator("#form-errors")).to_contain_text("Some fields need a change")
    expect(page.locator("#id_database_storage_gb")).to_have_value("5")
    assert not ChangeRequest.objects.exists()

    # when she fixes the value and submits
    page.fill("#id_database_storage_gb", "50")
    page.click("button:has-text('Submit request')")

    # then she lands on the page of her change
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/changes/\d+/$"))
    expect(page.locator("h1")).to_contain_text("create checkout-dev")
    change = ChangeRequest.objects.get()
    assert change.requested_by == alice and change.environment.team == payments
    assert change.parameters["database_storage_gb"] == 50
    assert page.url.endswith(f"/changes/{change.pk}/")
