"""Change page, cancel and retry: anonymous, outsider, reviewer, member."""

import pytest
from django.contrib.messages import get_messages

from catalogue.tests.helpers import parse_html, request_records
from conftest import client_for, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunStatus
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(catalogue, alice, payments):
    """alice's request for payments/checkout-dev: checking, its plan run queued."""
    return request_change(alice, payments, catalogue["web-app"].current_version, name="checkout-dev")


@pytest.fixture
def failed_change(change):
    change.runs.update(status=RunStatus.FAILED, error="terraform init: provider not found")
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.FAILED, failure_reason="Plan failed.")
    Environment.objects.filter(pk=change.environment_id).update(status=EnvironmentStatus.FAILED)
    change.refresh_from_db()
    return change


def state(change) -> tuple:
    change.refresh_from_db()
    change.environment.refresh_from_db()
    return change.status, change.environment.status, change.runs.count(), AuditEvent.objects.count()


# -- anonymous ---------------------------------------------------------------
def test_anonymous_is_sent_to_the_login_page_from_a_change(client, change):
    response = client.get(f"/changes/{change.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/changes/{change.pk}/"


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_anonymous_cannot_act_on_a_change(client, failed_change, action):
    before = state(failed_change)
    response = client.post(f"/changes/{failed_change.pk}/{action}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert state(failed_change) == before


# -- outsider ----------------------------------------------------------------
def test_the_outsider_gets_404_for_another_teams_change(bob, change):
    assert client_for(bob).get(f"/changes/{change.pk}/").status_code == 404


def test_the_outsider_cannot_cancel_another_teams_change(bob, change):
    # given
    before = state(change)

    # when
    response = client_for(bob).post(f"/changes/{change.pk}/cancel/")

    # then
    assert response.status_code == 404
    assert state(change) == before
    assert change.status == ChangeStatus.CHECKING


def test_the_outsider_cannot_retry_another_teams_change(bob, failed_change):
    before = state(failed_change)
    assert client_for(bob).post(f"/changes/{failed_change.pk}/retry/").status_code == 404
    assert state(failed_change) == before


def test_a_reviewer_sees_a_change_waiting_for_their_group_but_cannot_cancel_it(nina, change):
    # given the change needs the network group
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.AWAITING_APPROVAL)
    ApprovalRequirement.objects.create(change_request=change, group="network", reasons=["Creates a VPC."])
    before = state(change)

    # then
    assert client_for(nina).get(f"/changes/{change.pk}/").status_code == 200
    refused = client_for(nina).post(f"/changes/{change.pk}/cancel/")
    assert refused.status_code == 403
    assert "You are not a member of team payments; only its members may cancel its changes." in refused.content.decode()
    assert state(change) == before


def test_a_reviewer_of_another_group_does_not_see_the_change(sam, change):
    ApprovalRequirement.objects.create(change_request=change, group="network", reasons=["Creates a VPC."])
    assert client_for(sam).get(f"/changes/{change.pk}/").status_code == 404


# -- member ------------------------------------------------------------------
def test_the_member_sees_the_change_page(dave, change):
    # when
    response = client_for(dave).get(f"/changes/{change.pk}/")

    # then
    assert response.status_code == 200
    page = parse_html(response.content)
    assert page.find("h1").text == f"Change #{change.pk}: create checkout-dev"
    assert page.find(id="change-status").text == "Checking"
    assert "requested by alice" in page.find("p", cls="subtitle").text
    assert "Cancel change" in page.text  # a teammate may cancel


def test_the_change_page_refreshes_itself_as_a_partial_for_htmx(alice, change):
    response = client_for(alice).get(f"/changes/{change.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert parse_html(response.content).find(id="change-live") is not None


def test_the_member_cancels_a_change_in_progress(dave, change):
    # when
    response = client_for(dave).post(f"/changes/{change.pk}/cancel/")

    # then
    assert response.status_code == 302 and response["Location"] == f"/changes/{change.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Change #{change.pk} cancelled."]
    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELLED
    assert change.failure_reason == "Cancelled by dave."
    assert change.environment.status == EnvironmentStatus.WITHDRAWN
    assert change.runs.get().status == RunStatus.CANCELLED
    assert AuditEvent.objects.filter(change_request=change, action=AuditAction.CHANGE_CANCELLED).exists()


def test_cancelling_a_finished_change_is_refused_with_a_message(alice, failed_change):
    before = state(failed_change)
    response = client_for(alice).post(f"/changes/{failed_change.pk}/cancel/")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Change #{failed_change.pk} is failed; it cannot be cancelled."
    ]
    assert state(failed_change) == before


def test_the_member_retries_a_failed_change(alice, failed_change):
    # when
    response = client_for(alice).post(f"/changes/{failed_change.pk}/retry/")

    # then
    assert response.status_code == 302 and response["Location"] == f"/changes/{failed_change.pk}/"
    failed_change.refresh_from_db()
    assert failed_change.status == ChangeStatus.CHECKING
    assert failed_change.environment.status == EnvironmentStatus.REQUESTED
    assert failed_change.runs.filter(status=RunStatus.QUEUED).count() == 1


def test_retrying_a_change_that_did_not_fail_is_refused_with_a_message(alice, change):
    before = state(change)
    response = client_for(alice).post(f"/changes/{change.pk}/retry/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Only a failed change can be retried; #{change.pk} is checking."
    ]
    assert state(change) == before


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_change_actions_only_accept_post(alice, change, action):
    before = state(change)
    assert client_for(alice).get(f"/changes/{change.pk}/{action}/").status_code == 405
    assert state(change) == before


def test_a_missing_change_is_404(alice, change):
    assert client_for(alice).get(f"/changes/{change.pk + 1000}/").status_code == 404
    assert request_records()["changes"] == 1
