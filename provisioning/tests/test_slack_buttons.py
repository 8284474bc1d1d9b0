"""Buttons on the portal's Slack notices, pressed as Slack sends them (signed), answered on `response_url`
(the local receiver): reviewers approve or reject from the review notice, the four-eyes rule holds,
owners extend an expiring environment from its notice, a decommission is confirmed with a button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from conftest import request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from idp_portal.celery import app as celery_app
from provisioning.choices import ApprovalDecision, ChangeSource, ChangeStatus
from provisioning.expiry import sweep_expiry
from provisioning.models import Approval, Environment
from provisioning.notifications import deliver
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan
from provisioning.tests.slack import button, buttons, command, link_slack, press

pytestmark = pytest.mark.django_db
ALICE, DAVE, BOB, NINA, SAM = "U0ALICE", "U0DAVE", "U0BOB", "U0NINA", "U0SAM"


@pytest.fixture
def linked(slack_app, alice, dave, bob, nina, sam):
    for user, slack_id in ((alice, ALICE), (dave, DAVE), (bob, BOB), (nina, NINA), (sam, SAM)):
        link_slack(user, slack_id)
    return slack_app


@pytest.fixture
def review_notice(linked, awaiting, payments):
    """The review notice of alice's change as the team's channel received it."""
    payments.slack_webhook_url = linked.url
    payments.save()
    assert deliver(awaiting.pk, "awaiting_approval", "slack") == "posted"
    [notice] = linked.calls
    return notice


def press_button(notice: dict, label: str, user: str, receiver, **kwargs) -> dict:
    """Press `label` on `notice` as Slack user `user`; returns what the portal posted to response_url."""
    pressed = button(notice["blocks"], label)
    before = len(receiver.calls)
    response = press(pressed["action_id"], pressed["value"], user=user, response_url=receiver.url,
                     name=user[2:].lower(), **kwargs)  # fmt: skip
    assert response.status_code == 200, response.content
    assert len(receiver.calls) == before + 1, "one answer on response_url"
    return receiver.calls[-1]


# -- approve and reject ------------------------------------------------------------------
def test_the_review_notice_has_a_comment_box_and_buttons_for_each_group_waiting(review_notice, awaiting):
    assert f"Change #{awaiting.pk} (payments/checkout) waits for review" in review_notice["blocks"][0]["text"]["text"]
    assert buttons(review_notice["blocks"]) == [
        "Approve for network", "Reject for network", "Approve for security", "Reject for security"
    ]  # fmt: skip
    assert any(b["type"] == "input" for b in review_notice["blocks"])


def test_a_reviewer_approves_from_slack_and_the_notice_keeps_only_the_buttons_still_needed(
    review_notice, awaiting, nina, slack
):
    answer = press_button(review_notice, "Approve for network", NINA, slack)

    approval = Approval.objects.get()
    assert (approval.reviewer, approval.decision, approval.requirement.group) == (nina, "approved", "network")
    event = AuditEvent.objects.get(action=AuditAction.APPROVAL_GIVEN)
    assert (
        event.message == f"nina approved change #{awaiting.pk} for network via chat" and event.data["source"] == "chat"
    )
    assert answer["replace_original"] is True
    assert buttons(answer["blocks"]) == ["Approve for security", "Reject for security"]
    assert "*network*: approved by nina" in answer["blocks"][1]["text"]["text"]
    assert answer["blocks"][-1]["elements"][0]["text"] == f"nina (@nina) approved change #{awaiting.pk} for network."


def test_when_every_group_approved_the_buttons_are_gone_and_the_change_is_applied(review_notice, awaiting, slack):
    press_button(review_notice, "Approve for network", NINA, slack)
    answer = press_button(slack.calls[-1], "Approve for security", SAM, slack)

    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.APPROVED
    assert buttons(answer["blocks"]) == []
    assert f"Change #{awaiting.pk} (payments/checkout) is approved" in answer["blocks"][0]["text"]["text"]


def test_a_rejection_needs_a_comment_and_is_refused_to_the_reviewer_alone_without_one(review_notice, awaiting, slack):
    answer = press_button(review_notice, "Reject for security", SAM, slack, comment="")

    assert answer["replace_original"] is False and answer["response_type"] == "ephemeral"
    assert "• *comment*: Say why you reject it, so the requester knows what to change." in answer["text"]
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.AWAITING_APPROVAL and not Approval.objects.exists()


def test_a_reviewer_rejects_with_the_comment_typed_in_the_notice(review_notice, awaiting, slack, sam):
    answer = press_button(review_notice, "Reject for security", SAM, slack, comment="Use the shared KMS key.")

    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.REJECTED
    approval = Approval.objects.get()
    assert (approval.reviewer, approval.decision, approval.comment) == (sam, ApprovalDecision.REJECTED,
                                                                        "Use the shared KMS key.")  # fmt: skip
    assert answer["replace_original"] is True and buttons(answer["blocks"]) == []
    assert "*security*: rejected by sam: “Use the shared KMS key.”" in answer["blocks"][1]["text"]["text"]


def test_the_requester_cannot_approve_their_own_change_from_slack(review_notice, awaiting, alice, slack):
    alice.groups.add(Group.objects.get_or_create(name="security")[0])

    answer = press_button(review_notice, "Approve for security", ALICE, slack)

    assert answer == {"text": ":no_entry: You requested this change; another reviewer must decide on it.",
                      "response_type": "ephemeral", "replace_original": False}  # fmt: skip
    assert not Approval.objects.exists()
    denied = AuditEvent.objects.get(action=AuditAction.APPROVAL_DENIED)
    assert "alice tried to approve change" in denied.message and "via chat: refused" in denied.message


def test_someone_outside_the_group_cannot_approve(review_notice, slack):
    answer = press_button(review_notice, "Approve for network", SAM, slack)
    assert answer["text"] == ":no_entry: You are not in the network reviewer group."
    assert not Approval.objects.exists()


def test_an_outsider_learns_nothing_of_the_change(review_notice, slack):
    answer = press_button(review_notice, "Approve for network", BOB, slack)
    assert answer["text"] == ":no_entry: No such change, or you may not see it."
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).exists()


def test_an_unlinked_reviewer_gets_the_link_and_nothing_is_decided(review_notice, slack):
    answer = press_button(review_notice, "Approve for network", "U0NEWCOMER", slack)
    assert answer["text"].startswith(":link: Your Slack account is not linked to the portal yet.")
    assert answer["replace_original"] is False
    assert not Approval.objects.exists()


# -- extend from the expiry notice ----------------------------------------------------------
@pytest.fixture
def box(alice, payments, dev_environment):
    change = finish_apply(finish_plan(request_change(alice, payments, dev_environment, name="box"),
                                      captured_plan("dev-environment-dev")))  # fmt: skip
    return Environment.objects.get(pk=change.environment_id)


@pytest.fixture
def expiry_notice(linked, box, payments, django_capture_on_commit_callbacks):
    """The seven-day expiry notice, sent by the real sweep to the team's channel."""
    payments.slack_webhook_url = linked.url
    payments.save()
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sweep_expiry(now=box.expires_at - timedelta(days=7))
    finally:
        celery_app.conf.task_always_eager = False
    [notice] = linked.calls
    return notice


def test_the_expiry_notice_offers_the_extensions_the_tier_allows(expiry_notice, box):
    assert "payments/box expires in 7 days" in expiry_notice["blocks"][0]["text"]["text"]
    assert buttons(expiry_notice["blocks"]) == ["Extend 1 day", "Extend 7 days"]


def test_an_owner_extends_from_the_notice_and_its_buttons_are_gone(expiry_notice, box, dave, slack):
    before = box.expires_at

    answer = press_button(expiry_notice, "Extend 7 days", DAVE, slack)

    box.refresh_from_db()
    assert box.expires_at - before == timedelta(days=7)
    event = AuditEvent.objects.get(action=AuditAction.ENVIRONMENT_EXTENDED)
    assert event.actor == dave and event.data["source"] == ChangeSource.CHAT
    assert answer["replace_original"] is True and buttons(answer["blocks"]) == []
    assert (
        f"payments/box> now expires on {box.expires_at:%Y-%m-%d %H:%M} UTC: extended by 7 day(s) by dave"
        in answer["text"]
    )


def test_an_outsider_cannot_extend_from_the_notice(expiry_notice, box, slack):
    before = box.expires_at
    answer = press_button(expiry_notice, "Extend 7 days", BOB, slack)
    assert answer["text"] == ":no_entry: No such environment, or you may not see it."
    box.refresh_from_db()
    assert box.expires_at == before


# -- decommission, confirmed by a button ------------------------------------------------------
def test_the_decommission_button_carries_the_typed_name_and_decommissions(linked, box, alice, slack):
    confirmation = command("destroy box", user=ALICE).json()

    answer = press_button(confirmation, "Decommission payments/box", ALICE, slack)

    change = box.changes.get(action="destroy")
    assert (change.requested_by, change.source) == (alice, ChangeSource.CHAT)
    assert answer["replace_original"] is True
    assert answer["text"].startswith(":white_check_mark: You asked to decommission payments/box:")


def test_keep_it_decommissions_nothing(linked, box, slack):
    confirmation = command("destroy box", user=ALICE).json()
    answer = press_button(confirmation, "Keep it", ALICE, slack)
    assert answer["text"] == "Kept it: nothing was decommissioned."
    assert not box.changes.filter(action="destroy").exists()


def test_a_button_with_another_name_decommissions_nothing(linked, box, slack):
    answer = press("decommission", {"environment": box.pk, "confirm": "other"}, user=ALICE, response_url=slack.url)
    assert answer.status_code == 200
    assert "• *confirm*: Type the environment's name, box, to confirm" in slack.calls[-1]["text"]
    assert not box.changes.filter(action="destroy").exists()


@pytest.mark.parametrize(
    ("action_id", "value"),
    [("launch", {"environment": 1}), ("extend:7", {"environment": "1; drop"}), ("approve:network", [])],
)
def test_an_unknown_or_malformed_button_is_refused_and_changes_nothing(linked, box, slack, action_id, value):
    before = (box.expires_at, AuditEvent.objects.count())
    response = press(action_id, value, user=ALICE, response_url=slack.url)
    assert response.status_code == 400
    box.refresh_from_db()
    assert (box.expires_at, AuditEvent.objects.count()) == before and slack.calls == []


def test_a_comment_with_a_nul_character_is_refused(review_notice, slack):
    response = press("reject:security", {"change": 1, "group": "security"}, user=SAM, response_url=slack.url,
                     comment="no\x00")  # fmt: skip
    assert response.status_code == 400 and not Approval.objects.exists()
