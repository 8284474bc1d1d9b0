"""A newcomer requests a development environment in the browser and watches it being built."""

import time

import pytest
from playwright.sync_api import expect

from conftest import request_change, sign_in
from provisioning.choices import RunKind
from provisioning.models import Run
from provisioning.tests.conftest import wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_alice_watches_her_development_environment_go_live_within_a_minute(
    sandbox, live_server, browser_page, catalogue, alice, payments
):
    page = browser_page
    page.set_default_timeout(60_000)
    sign_in(page, live_server.url, "alice")

    # given alice fills in the development environment form with its defaults
    page.goto(f"{live_server.url}/catalogue/dev-environment/request/")
    page.fill("#id_name", "first-box")
    started = time.monotonic()
    page.click("button:has-text('Submit request')")

    # then the change page shows the progress and the live terraform log, without reloading
    expect(page.locator("h1")).to_contain_text("create first-box")
    expect(page.locator("#log-tail")).to_contain_text("terraform", timeout=30_000)
    expect(page.locator("#change-status")).to_have_text("Applied", timeout=60_000)
    assert time.monotonic() - started < 60

    # and the environment page lists its resources with their tags
    page.click("text=See the environment")
    expect(page.locator("#environment-status")).to_have_text("Active")
    row = page.locator("#resources tr:has-text('module.pattern.aws_instance.this')")
    row.locator("summary").click()
    expect(row).to_contain_text("team=payments")
    expect(row).to_contain_text("cost-centre=CC-1001")

    # and the plan's run page keeps the whole log, with timings, and the plan as a readable diff
    plan_run = Run.objects.get(environment__name="first-box", kind=RunKind.PLAN)
    page.goto(f"{live_server.url}/runs/{plan_run.pk}/")
    expect(page.locator("#run-status")).to_have_text("Succeeded")
    expect(page.locator("#log")).to_contain_text("[plan:")
    expect(page.locator("#plan-diff")).to_contain_text("+ create module.pattern.aws_instance.this")


def test_the_run_page_streams_the_log_while_terraform_runs(
    sandbox, live_server, browser_page, catalogue, alice, payments
):
    page = browser_page
    page.set_default_timeout(60_000)
    sign_in(page, live_server.url, "alice")
    change = request_change(alice, payments, catalogue["dev-environment"], name="streamed", ttl_days=2)
    apply_run = wait_for_run(change, RunKind.APPLY)

    # when alice opens the apply run while it runs
    page.goto(f"{live_server.url}/runs/{apply_run.pk}/")
    first_view = page.locator("#log").inner_text()

    # then the log grows in place until terraform is done, and the final status shows (expect's own timeout is
    # 5 s, not the page's: the apply may take longer than that on a busy machine)
    expect(page.locator("#log")).to_contain_text("Apply complete!", timeout=60_000)
    expect(page.locator("#run-status")).to_have_text("Succeeded", timeout=30_000)
    assert "Apply complete!" not in first_view


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["dropped", "never answered"])
def test_a_failed_poll_does_not_freeze_the_live_log(live_server, browser_page, dev_environment, alice, payments, fault):
    # given a running apply whose log page is open, and the first poll of its log dropped or left hanging
    change = request_change(alice, payments, dev_environment, name="blip")
    run = change.runs.get()
    Run.objects.filter(pk=run.pk).update(status="running", log="$ terraform apply tfplan\n")
    page = browser_page
    sign_in(page, live_server.url, "alice")
    dropped = []

    def drop_the_first(route):
        if dropped:
            route.continue_()
            return
        dropped.append(route.request.url)
        if fault == "dropped":
            route.abort("connectionreset")
        # never answered: the poll times out (hx-request timeout, 10 s) and is tried again

    page.route("**/runs/*/log/**", drop_the_first)
    page.goto(f"{live_server.url}/runs/{run.pk}/")
    expect(page.locator("#log")).to_contain_text("$ terraform apply tfplan")

    # when terraform writes more after the dropped poll
    page.wait_for_timeout(1500)
    assert dropped, "the first poll should have been dropped by now"
    Run.objects.filter(pk=run.pk).update(log="$ terraform apply tfplan\nApply complete! Resources: 12 added.\n")

    # then the page polls again and shows it
    expect(page.locator("#log")).to_contain_text("Apply complete!", timeout=25_000)
