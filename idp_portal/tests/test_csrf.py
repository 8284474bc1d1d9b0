"""Every state-changing POST needs the CSRF token: without it, 403 and nothing changes."""

import re

import pytest
from django.test import Client

from catalogue.tests.helpers import form_data, request_records
from conftest import request_change
from provisioning.choices import ChangeStatus, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(alice):
    """A client that checks CSRF tokens, as a real browser session is checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


@pytest.fixture
def change(catalogue, alice, payments):
    return request_change(alice, payments, catalogue["web-app"].current_version, name="checkout-dev")


def csrf_token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_request_without_the_token_is_refused_and_creates_nothing(browser, catalogue, payments):
    # given
    before = request_records()
    data = form_data(catalogue["web-app"].current_version, payments)

    # when
    response = browser.post("/catalogue/web-app/request/", data)

    # then
    assert response.status_code == 403
    assert request_records() == before


def test_the_same_request_with_the_token_from_the_form_is_accepted(browser, catalogue, payments):
    data = form_data(catalogue["web-app"].current_version, payments)
    data["csrfmiddlewaretoken"] = csrf_token(browser, "/catalogue/web-app/request/")
    response = browser.post("/catalogue/web-app/request/", data)
    assert response.status_code == 302
    assert Environment.objects.count() == 1


def test_inline_validation_without_the_token_is_refused(browser, catalogue, payments):
    data = {**form_data(catalogue["web-app"].current_version, payments), "_field": "app_port"}
    assert browser.post("/catalogue/web-app/request/validate/", data, headers={"HX-Request": "true"}).status_code == 403


def test_htmx_requests_carry_the_token_in_a_header(browser, catalogue, payments):
    # the page puts the token in hx-headers; htmx sends it as X-CSRFToken
    token = csrf_token(browser, "/catalogue/web-app/request/")
    data = {**form_data(catalogue["web-app"].current_version, payments), "_field": "app_port"}
    response = browser.post(
        "/catalogue/web-app/request/validate/", data, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_cancel_without_the_token_is_refused(browser, change):
    assert browser.post(f"/changes/{change.pk}/cancel/").status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.CHECKING


def test_retry_without_the_token_is_refused(browser, change):
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.FAILED)
    runs = change.runs.count()
    assert browser.post(f"/changes/{change.pk}/retry/").status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED and change.runs.count() == runs


def test_decommission_without_the_token_is_refused(browser, change):
    Environment.objects.filter(pk=change.environment_id).update(status=EnvironmentStatus.ACTIVE)
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.APPLIED)
    before = request_records()
    assert browser.post(f"/environments/{change.environment_id}/decommission/").status_code == 403
    assert request_records() == before


def test_login_without_the_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
