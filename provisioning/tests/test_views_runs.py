"""Run page and its streamed log: anonymous, outsider, member."""

import pytest
from django.utils import timezone

from catalogue.tests.helpers import parse_html
from conftest import client_for, request_change
from provisioning.choices import RunStatus
from provisioning.models import Run

pytestmark = pytest.mark.django_db

LOG = "Initializing the backend...\nTerraform has been successfully initialized!\n"


@pytest.fixture
def run(catalogue, alice, payments):
    """The plan run of alice's request, running, with some log written."""
    change = request_change(alice, payments, catalogue["web-app"].current_version, name="checkout-dev")
    change.runs.update(status=RunStatus.RUNNING, started_at=timezone.now(), worker="worker-1", log=LOG)
    return change.runs.get()


def finish(run: Run, text: str = "Plan: 21 to add, 0 to change, 0 to destroy.\n") -> None:
    Run.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now(), log=LOG + text)


# -- anonymous ---------------------------------------------------------------
@pytest.mark.parametrize("path", ["/runs/{pk}/", "/runs/{pk}/log/"])
def test_anonymous_is_sent_to_the_login_page(client, run, path):
    url = path.format(pk=run.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# -- outsider ----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/runs/{pk}/", "/runs/{pk}/log/?offset=0"])
def test_the_outsider_gets_404_for_another_teams_run(bob, run, path):
    response = client_for(bob).get(path.format(pk=run.pk))
    assert response.status_code == 404
    assert b"Initializing" not in response.content


# -- member ------------------------------------------------------------------
def test_the_member_sees_the_run_and_its_log(dave, run):
    # when
    response = client_for(dave).get(f"/runs/{run.pk}/")

    # then
    assert response.status_code == 200
    page = parse_html(response.content)
    assert page.find(id="run-status").text == "Running"
    assert "Terraform has been successfully initialized!" in page.find(id="log").text
    assert "on worker-1" in page.find("p", cls="subtitle").text


def test_the_log_endpoint_returns_only_what_was_written_since_the_offset(alice, run):
    # given the page has shown the log so far, and terraform wrote more
    offset = len(LOG)
    Run.objects.filter(pk=run.pk).update(log=LOG + "aws_vpc.main: Refreshing state...\n")

    # when
    response = client_for(alice).get(f"/runs/{run.pk}/log/?offset={offset}")

    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("aws_vpc.main: Refreshing state...")
    assert "Initializing the backend" not in text
    assert "HX-Refresh" not in response  # still running: keep polling


def test_the_log_endpoint_asks_for_a_refresh_when_the_run_is_over(alice, run):
    # given
    finish(run)

    # when
    response = client_for(alice).get(f"/runs/{run.pk}/log/?offset={len(LOG)}")

    # then
    assert response["HX-Refresh"] == "true"
    assert response.content.decode().startswith("Plan: 21 to add")


@pytest.mark.parametrize("offset", ["", "abc", "-5"])
def test_a_bad_offset_returns_the_whole_log(alice, run, offset):
    response = client_for(alice).get(f"/runs/{run.pk}/log/?offset={offset}")
    assert response.status_code == 200
    assert response.content.decode().startswith("Initializing the backend")


def test_a_finished_run_shows_its_error(alice, run):
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error="No valid credential sources found"
    )
    page = parse_html(client_for(alice).get(f"/runs/{run.pk}/").content)
    assert page.find(id="run-status").text == "Failed"
    assert "No valid credential sources found" in page.text


def test_a_missing_run_is_404(alice, run):
    assert client_for(alice).get(f"/runs/{run.pk + 1000}/").status_code == 404
