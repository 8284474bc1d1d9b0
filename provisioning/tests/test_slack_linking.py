"""Slack users become portal users only by a one-time link the portal user confirms, signed in; never by
an e-mail or a name in a Slack payload. Linking and unlinking are on the record; unlinking is on the
Access tokens page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import client_for
from governance import slack_links
from governance.choices import AuditAction
from governance.models import AuditEvent, SlackIdentity, SlackLinkRequest
from provisioning.models import Environment
from provisioning.tests.slack import WORKSPACE, command, command_body, link_slack, post_signed, said

pytestmark = pytest.mark.django_db
SLACK_ALICE = "U0ALICE"


def link_from(answer: str) -> str:
    """The portal path of the one-time link in the answer to an unlinked Slack user."""
    return re.search(r"<http://127\.0\.0\.1:8000(/account/slack/link/[^|>]+/)\|", answer).group(1)


@pytest.fixture
def offered(slack_app, catalogue) -> str:
    """The link offered to the unlinked Slack user U0ALICE (@alice.s) who typed /platform list."""
    return link_from(said(command("list", user=SLACK_ALICE, name="alice.s")))


def test_the_link_page_says_which_slack_account_would_act_as_the_signed_in_user(offered, alice):
    page = client_for(alice).get(offered)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "The Slack user <strong>@alice.s</strong>" in html and f"<code>{WORKSPACE}</code>" in html
    assert "act as\n     <strong>alice</strong>" in html
    assert "Link @alice.s to alice" in html
    assert not SlackIdentity.objects.exists(), "opening the link is not confirming it"


def test_confirming_links_the_account_and_slack_then_acts_as_the_user(offered, alice, box_of_alice):
    response = client_for(alice).post(offered)

    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    identity = SlackIdentity.objects.get()
    assert (identity.slack_team_id, identity.slack_user_id, identity.user) == (WORKSPACE, SLACK_ALICE, alice)
    event = AuditEvent.objects.get(action=AuditAction.SLACK_LINKED)
    assert event.actor == alice
    assert (
        event.message
        == f"alice linked the Slack account @alice.s ({WORKSPACE}/{SLACK_ALICE}): it now acts as alice in Slack."
    )
    assert "payments/box" in said(command("list", user=SLACK_ALICE))


@pytest.fixture
def box_of_alice(alice, payments, dev_environment):
    from conftest import request_change

    return request_change(alice, payments, dev_environment, name="box").environment


def test_a_link_works_once(offered, alice, dave):
    client_for(alice).post(offered)

    again = client_for(dave).post(offered)

    assert again.status_code == 404
    assert "This link was already used." in again.content.decode()
    assert list(SlackIdentity.objects.values_list("user__username", flat=True)) == ["alice"]


def test_an_expired_link_is_refused(offered, alice):
    SlackLinkRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(alice).post(offered)
    assert response.status_code == 404 and "This link expired" in response.content.decode()
    assert not SlackIdentity.objects.exists()


def test_an_unknown_link_is_refused(slack_app, alice):
    response = client_for(alice).get("/account/slack/link/made-up-token/")
    assert response.status_code == 404 and "This link is unknown." in response.content.decode()


def test_only_a_signed_in_user_can_confirm(offered):
    response = Client().post(offered)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not SlackIdentity.objects.exists()


def test_a_slack_account_linked_to_someone_else_is_not_taken_over(slack_app, alice, dave):
    link_slack(dave, SLACK_ALICE)
    token = slack_links.start_link(slack_team_id=WORKSPACE, slack_user_id=SLACK_ALICE, slack_user_name="alice.s")

    response = client_for(alice).post(f"/account/slack/link/{token}/")

    assert response.status_code == 409
    assert "already linked to another portal account" in response.content.decode()
    assert SlackIdentity.objects.get().user == dave


def test_an_email_in_the_payload_is_never_trusted(slack_app, alice, catalogue):
    body = command_body("create dev-environment --name=box", user="U0MALLORY", name="alice")
    body += "&user_email=alice%40example.com&email=alice%40example.com"

    answer = post_signed("/slack/commands/", body).json()["text"]

    assert answer.startswith(":link: Your Slack account is not linked to the portal yet.")
    assert not Environment.objects.exists() and not SlackIdentity.objects.exists()


def test_the_link_is_kept_only_as_a_hash(offered):
    token = offered.rstrip("/").rsplit("/", 1)[1]
    link = SlackLinkRequest.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64


def test_a_new_link_replaces_the_unused_one(offered, alice):
    newer = link_from(said(command("list", user=SLACK_ALICE, name="alice.s")))
    assert client_for(alice).post(offered).status_code == 404
    assert client_for(alice).post(newer).status_code == 302


# -- unlinking --------------------------------------------------------------------------------
def test_the_tokens_page_lists_linked_slack_accounts_and_unlinks_them(slack_app, alice):
    identity = link_slack(alice, SLACK_ALICE)
    client = client_for(alice)

    page = client.get("/account/tokens/").content.decode()
    assert f'data-slack-user="{SLACK_ALICE}"' in page and f"/account/slack/{identity.pk}/unlink/" in page

    response = client.post(f"/account/slack/{identity.pk}/unlink/", follow=True)

    assert "unlinked: it can no longer act as you." in response.content.decode()
    assert not SlackIdentity.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.SLACK_UNLINKED)
    assert event.actor == alice and f"({WORKSPACE}/{SLACK_ALICE}) from alice" in event.message
    assert said(command("list", user=SLACK_ALICE)).startswith(":link: Your Slack account is not linked")


def test_nobody_unlinks_another_users_slack_account(slack_app, alice, bob):
    identity = link_slack(alice, SLACK_ALICE)
    response = client_for(bob).post(f"/account/slack/{identity.pk}/unlink/", follow=True)
    assert "No such Slack link, or it is not yours." in response.content.decode()
    assert SlackIdentity.objects.filter(pk=identity.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SLACK_UNLINKED).exists()


def test_unlinking_needs_a_post_by_a_signed_in_user(slack_app, alice):
    identity = link_slack(alice, SLACK_ALICE)
    assert client_for(alice).get(f"/account/slack/{identity.pk}/unlink/").status_code == 405
    assert Client().post(f"/account/slack/{identity.pk}/unlink/").status_code == 302
    assert SlackIdentity.objects.exists()


def test_a_deactivated_user_no_longer_acts_from_slack(slack_app, alice):
    link_slack(alice, SLACK_ALICE)
    alice.is_active = False
    alice.save()
    assert said(command("list", user=SLACK_ALICE)).startswith(":link:")
