"""Input that used to end in a 500: huge lifetimes, the same request four times at once, two reviewers at once.

Each gets a clear answer, stores at most one of anything, and loses no decision.
"""

import threading

import pytest
from django.db import connection

from catalogue.tests.helpers import field_errors, form_data, request_records
from conftest import client_for
from provisioning.choices import ChangeStatus
from provisioning.models import Approval, ChangeRequest, Environment

WEB_REQUEST = "/catalogue/web-app/request/"
HUGE = ["3000000", str(2**31), str(2**63), "1" + "0" * 40]


def at_once(*calls):
    """Run the calls in threads released together; each thread has its own database connection."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(10)
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db
@pytest.mark.parametrize("ttl", HUGE)
def test_a_huge_production_time_to_live_is_a_field_error(web_app, alice, payments, ttl):
    before = request_records()
    response = client_for(alice).post(WEB_REQUEST, form_data(web_app, payments, tier="prod", ttl_days=ttl))
    assert response.status_code == 400
    assert field_errors(response.content, "ttl_days") == [
        "Enter at most 3650 days, or leave it empty: prod never expires."
    ]
    assert request_records() == before


@pytest.mark.django_db
@pytest.mark.parametrize("ttl", [2**31, 2**63, 10**40])
def test_a_huge_time_to_live_through_the_api_is_a_400(dev_environment, alice, payments, ttl):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    body = {"pattern": "dev-environment", "team": "payments", "name": "box", "tier": "dev", "ttl_days": ttl}
    response = api.post("/api/v1/environments/", body, format="json")
    assert response.status_code == 400, response.content
    assert "ttl_days" in response.json()["error"]["fields"]
    assert not Environment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("days", HUGE)
def test_extending_by_a_huge_number_of_days_is_a_field_error(dev_environment, alice, payments, days):
    from conftest import request_change

    change = request_change(alice, payments, dev_environment, name="box")
    environment = change.environment
    expires = environment.expires_at
    response = client_for(alice).post(f"/environments/{environment.pk}/extend/", {"days": days}, follow=True)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 3650." in response.content.decode()
    environment.refresh_from_db()
    assert environment.expires_at == expires


@pytest.mark.django_db(transaction=True)
def test_the_same_request_four_times_at_once_makes_one_environment(web_app, alice, payments):
    # when alice's form is submitted four times at the same moment (a double-click, a retrying proxy)
    data = form_data(web_app, payments, name="checkout-dev")
    responses = at_once(*[lambda: client_for(alice).post(WEB_REQUEST, data)] * 4)

    # then one is created and the three others say why, on the name field
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400]
    for response in responses:
        if response.status_code == 400:
            assert field_errors(response.content, "name") == [
                "Your team already has an environment called 'checkout-dev'; choose another name."
            ]
    assert Environment.objects.count() == 1 and ChangeRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_of_different_groups_deciding_at_once_both_count(awaiting, nina, sam):
    # when network and security approve at the same moment
    responses = at_once(
        lambda: post_decision(nina, awaiting, "network"), lambda: post_decision(sam, awaiting, "security")
    )

    # then both decisions are kept and the change moves on
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(Approval.objects.values_list("requirement__group", flat=True)) == ["network", "security"]
    awaiting.refresh_from_db()
    assert awaiting.status != ChangeStatus.AWAITING_APPROVAL


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_of_one_group_deciding_at_once_make_one_decision(awaiting, nina):
    from conftest import make_user

    nadia = make_user("nadia", groups=["network"])

    # when two network reviewers decide at the same moment, one approving and one rejecting
    responses = at_once(
        lambda: post_decision(nina, awaiting, "network"),
        lambda: post_decision(nadia, awaiting, "network", "rejected", "Too open."),
    )

    # then one decision is recorded, the other reviewer is told it was already decided
    assert sorted(r.status_code for r in responses) == [200, 409]
    [conflict] = [r for r in responses if r.status_code == 409]
    text = conflict.content.decode()
    assert "Network already" in text or "it no longer waits for a decision" in text
    assert Approval.objects.count() == 1


def post_decision(user, change, group, decision="approved", comment=""):
    return client_for(user).post(
        f"/approvals/{change.pk}/decide/",
        {"group": group, "decision": decision, "comment": comment},
        HTTP_HX_REQUEST="true",
    )
