"""The approval queue (/approvals/) and its htmx decide endpoint, as every kind of user."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.test import Client

from catalogue.tests.helpers import parse_html
from conftest import client_for, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.choices import ChangeStatus, RunKind
from provisioning.models import Approval, ChangeRequest
from provisioning.tests.plans import captured_plan, finish_plan

QUEUE = "/approvals/"


def decide_url(change) -> str:
    return f"/approvals/{change.pk}/decide/"


def queue_of(user) -> dict[int, set[str]]:
    """{change id: {groups}} of the items in the user's queue."""
    response = client_for(user).get(QUEUE)
    assert response.status_code == 200
    page = parse_html(response.content)
    items: dict[int, set[str]] = {}
    for article in page.find_all("article"):
        groups = {i.attrs["value"] for i in article.find_all("input") if i.attrs.get("name") == "group"}
        items.setdefault(int(article.attrs["data-change"]), set()).update(groups)
    return items


def post_decision(user, change, group, decision="approved", comment="", **headers):
    return client_for(user).post(
        decide_url(change),
        {"group": group, "decision": decision, "comment": comment},
        HTTP_HX_REQUEST="true",
        **headers,
    )


def security_log() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED))


def denied_attempts(change=None) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.APPROVAL_DENIED, change_request=change))


@pytest.fixture
def daves_change(dave, payments, web_app):
    """A second payments change, requested by dave, waiting for network and security."""
    change = finish_plan(request_change(dave, payments, web_app, name="shop"), captured_plan("web-app-dev"))
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    return change


# -- the queue --------------------------------------------------------------------------
def test_anonymous_is_sent_to_log_in():
    response = Client().get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/approvals/"


def test_a_developer_has_nothing_to_review(awaiting, alice, dave, bob):
    for user in (alice, dave, bob):
        response = client_for(user).get(QUEUE)
        page = parse_html(response.content)
        assert response.status_code == 200
        assert page.find("article") is None
        assert page.find(id="queue-empty").text == "Nothing waits for you."
        assert "You are not in a reviewer group" in response.content.decode()


def test_each_reviewer_sees_the_changes_waiting_for_their_groups(awaiting, nina, sam, pat, fiona):
    assert queue_of(nina) == {awaiting.pk: {"network"}}
    assert queue_of(sam) == {awaiting.pk: {"security"}}
    assert queue_of(pat) == {}
    assert queue_of(fiona) == {}


def test_a_queue_item_shows_the_plan_the_policy_results_the_requester_and_the_reason(awaiting, nina):
    ChangeRequest.objects.filter(pk=awaiting.pk).update(reason="Launch of the new checkout")

    response = client_for(nina).get(QUEUE)
    item = parse_html(response.content).find("article", id=f"approval-{awaiting.requirements.get(group='network').pk}")

    text = item.text
    assert "requested by alice" in text
    assert "Their reason: Launch of the new checkout" in text
    assert "Why you: Anything that opens a path from the internet is reviewed by the network team" in text
    assert re.search(r"Whole plan: 49 to create, 0 to update, 0 to replace, 0 to destroy", text)
    assert "module.pattern.aws_lb.this" in text  # the diff itself
    assert "Warning: Development environments are short-lived" in text  # the policy results
    form = item.find("form")
    assert form.attrs["hx-post"] == decide_url(awaiting)


def test_a_decided_group_leaves_the_queue_the_other_stays(awaiting, nina, sam):
    post_decision(nina, awaiting, "network")
    assert queue_of(nina) == {}
    assert queue_of(sam) == {awaiting.pk: {"security"}}


def test_a_reviewer_never_sees_their_own_request(awaiting, daves_change, dave):
    # given dave, a payments developer, also reviews network
    dave.groups.add(Group.objects.get_or_create(name="network")[0])

    # then his queue holds alice's change but never his own
    assert queue_of(dave) == {awaiting.pk: {"network"}}


def test_the_outsider_sees_none_of_another_teams_changes(awaiting, bob):
    assert queue_of(bob) == {}
    assert client_for(bob).get(f"/changes/{awaiting.pk}/").status_code == 404


def test_a_reviewer_may_open_the_change_they_review(awaiting, nina, pat):
    assert client_for(nina).get(f"/changes/{awaiting.pk}/").status_code == 200
    assert client_for(pat).get(f"/changes/{awaiting.pk}/").status_code == 404  # platform was never asked


# -- the decide endpoint ------------------------------------------------------------------
def test_an_htmx_approval_returns_the_outcome_partial(awaiting, nina, sam):
    # when nina approves through the queue
    response = post_decision(nina, awaiting, "network", comment="Fine by network.")

    # then the partial replaces the item: her approval, the change still waits for security
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    outcome = parse_html(response.content).find("article", cls="decision-result")
    assert outcome.attrs["data-change"] == str(awaiting.pk)
    assert outcome.text.startswith(f"You approved change #{awaiting.pk} for network. Waiting for the other groups.")
    assert Approval.objects.get().comment == "Fine by network."

    # when sam approves for security, then the reviewed plan goes to apply
    response = post_decision(sam, awaiting, "security")
    assert "Every group has approved: the reviewed plan is being applied." in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.APPROVED
    assert awaiting.runs.filter(kind=RunKind.APPLY).count() == 1


def test_an_htmx_rejection_with_a_comment_rejects_the_change(awaiting, sam):
    response = post_decision(sam, awaiting, "security", "rejected", "Use the shared KMS key.")
    assert response.status_code == 200
    assert f"You rejected change #{awaiting.pk}. The requester has been told why." in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.REJECTED


def test_a_rejection_without_a_comment_is_refused_with_a_message(awaiting, sam):
    response = post_decision(sam, awaiting, "security", "rejected", "   ")
    assert response.status_code == 400
    alert = parse_html(response.content).find("div", cls="error")
    assert "Say why you reject it, so the requester knows what to change." in alert.text
    assert not Approval.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.AWAITING_APPROVAL


def test_a_forged_post_for_another_group_is_forbidden_and_recorded(awaiting, sam):
    # when sam (security) forges a network approval
    response = post_decision(sam, awaiting, "network")

    # then 403 with the reason, nothing approved, the attempt on the record
    assert response.status_code == 403
    assert "You are not in the network reviewer group." in response.content.decode()
    assert not Approval.objects.exists()
    [attempt] = denied_attempts(awaiting)
    assert attempt.actor == sam and attempt.data["group"] == "network"


def test_the_requester_approving_through_the_endpoint_is_forbidden(awaiting, alice):
    alice.groups.add(Group.objects.get_or_create(name="network")[0])
    response = post_decision(alice, awaiting, "network")
    assert response.status_code == 403
    assert "You requested this change" in response.content.decode()
    assert len(denied_attempts(awaiting)) == 1


def test_a_post_for_a_change_the_user_cannot_see_is_not_found_and_recorded(awaiting, bob, pat, alice):
    # when bob (analytics) and pat (platform, never asked) post decisions on payments' change
    for user, group in ((bob, "network"), (pat, "platform")):
        response = post_decision(user, awaiting, group)
        # then they get 404: the change's existence is not revealed
        assert response.status_code == 404

    # and nothing is decided; both attempts are in the security log, none in payments' timeline
    assert not Approval.objects.exists()
    assert denied_attempts(awaiting) == []
    assert not AuditEvent.objects.filter(environment=awaiting.environment, actor__in=[bob, pat]).exists()
    assert [(e.actor_name, e.data["group"], e.data["change_id"]) for e in security_log()] == [
        ("pat", "platform", awaiting.pk),
        ("bob", "network", awaiting.pk),
    ]
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.AWAITING_APPROVAL


def test_a_post_for_a_change_that_does_not_exist_is_not_found(nina):
    response = client_for(nina).post("/approvals/999999/decide/", {"group": "network", "decision": "approved"})
    assert response.status_code == 404
    [attempt] = security_log()
    assert attempt.actor == nina and attempt.data["change_id"] == 999999


def test_approving_twice_through_the_endpoint_is_a_conflict(awaiting, nina):
    assert post_decision(nina, awaiting, "network").status_code == 200
    response = post_decision(nina, awaiting, "network")
    assert response.status_code == 409
    assert "Network already approved this change (nina)." in response.content.decode()
    assert Approval.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(awaiting, nina):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nina)

    response = client.post(decide_url(awaiting), {"group": "network", "decision": "approved"})

    assert response.status_code == 403
    assert not Approval.objects.exists()


def test_a_post_with_the_csrf_token_from_the_queue_is_accepted(awaiting, nina):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nina)
    page = parse_html(client.get(QUEUE).content)
    token = next(i.attrs["value"] for i in page.find_all("input") if i.attrs.get("name") == "csrfmiddlewaretoken")

    response = client.post(
        decide_url(awaiting), {"group": "network", "decision": "approved", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200
    assert Approval.objects.get().reviewer == nina


def test_anonymous_cannot_decide(awaiting):
    response = Client().post(decide_url(awaiting), {"group": "network", "decision": "approved"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Approval.objects.exists()


def test_deciding_needs_a_post(awaiting, nina):
    assert client_for(nina).get(decide_url(awaiting)).status_code == 405


def test_an_unknown_group_or_decision_is_a_bad_request(awaiting, nina):
    assert post_decision(nina, awaiting, "sre").status_code == 400
    assert post_decision(nina, awaiting, "network", "maybe").status_code == 400
    assert not Approval.objects.exists()
