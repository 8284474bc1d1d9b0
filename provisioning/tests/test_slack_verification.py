"""Only Slack, now, once: requests are verified with the app's signing secret; a bad or missing signature
or an old timestamp is refused (401) and logged with nothing done; a request seen already is not acted on
twice, even re-signed with a fresh timestamp."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import pytest

from conftest import request_change
from governance.models import AuditEvent, SlackLinkRequest
from provisioning.models import ChangeRequest, Environment
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan
from provisioning.tests.slack import (
    command_body,
    interaction_body,
    link_slack,
    post_signed,
    signature_headers,
)

pytestmark = pytest.mark.django_db
ALICE = "U0ALICE"


@pytest.fixture
def linked(slack_app, alice):
    link_slack(alice, ALICE)
    return slack_app


def records() -> tuple[int, int, int, int]:
    return (Environment.objects.count(), ChangeRequest.objects.count(), AuditEvent.objects.count(),
            SlackLinkRequest.objects.count())  # fmt: skip


CREATE = "create dev-environment --name=box"


@pytest.mark.parametrize("path", ["/slack/commands/", "/slack/interactions/"])
@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no Slack signature"),
        ({"X-Slack-Request-Timestamp": str(int(time.time()))}, "no Slack signature"),
        ("wrong-secret", "bad Slack signature"),
        ("tampered", "bad Slack signature"),
        ("six-minutes-old", "more than 5 minutes from now (replay?)"),
        ("six-minutes-ahead", "more than 5 minutes from now (replay?)"),
        ({"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00"}, "malformed Slack timestamp"),
        ({"X-Slack-Request-Timestamp": "²", "X-Slack-Signature": "v0=00"}, "malformed Slack timestamp"),
        ({"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"}, "malformed Slack timestamp"),
    ],
)
def test_an_unverified_request_is_refused_logged_and_changes_nothing(linked, catalogue, caplog, path, headers, why):
    body = command_body(CREATE, user=ALICE)
    if headers == "wrong-secret":
        headers = signature_headers(body, secret="not-the-apps-secret")
    elif headers == "tampered":
        headers = signature_headers(body)
        body = body.replace("name%3Dbox", "name%3Devil")
    elif headers == "six-minutes-old":
        headers = signature_headers(body, timestamp=int(time.time()) - 6 * 60)
    elif headers == "six-minutes-ahead":
        headers = signature_headers(body, timestamp=int(time.time()) + 6 * 60)
    before = records()

    with caplog.at_level(logging.WARNING, logger="provisioning.views.slack"):
        response = post_signed(path, body, headers)

    assert response.status_code == 401
    assert response.content == b"Refused: not a verified Slack request."
    assert records() == before and linked.calls == []
    assert any(why in record.getMessage() and path in record.getMessage() for record in caplog.records)


def test_a_request_signed_four_minutes_ago_is_still_accepted(linked, catalogue):
    body = command_body(CREATE, user=ALICE)
    response = post_signed("/slack/commands/", body, signature_headers(body, timestamp=int(time.time()) - 4 * 60))
    assert response.status_code == 200 and Environment.objects.filter(name="box").exists()


def test_without_a_signing_secret_nothing_is_accepted(linked, catalogue, settings):
    settings.SLACK_SIGNING_SECRET = ""
    response = post_signed("/slack/commands/", command_body(CREATE, user=ALICE))
    assert response.status_code == 503 and not Environment.objects.exists()


def test_only_post_is_answered(linked):
    from django.test import Client

    assert Client().get("/slack/commands/").status_code == 405


def test_the_same_request_twice_acts_once(linked, catalogue):
    body = command_body(CREATE, user=ALICE)
    headers = signature_headers(body)

    first = post_signed("/slack/commands/", body, headers)
    again = post_signed("/slack/commands/", body, headers)

    assert first.json()["text"].startswith(":white_check_mark: You requested payments/box")
    assert again.status_code == 200
    assert again.json()["text"] == "This command was already handled; nothing was done again."
    assert Environment.objects.count() == 1 and ChangeRequest.objects.count() == 1


def test_a_replayed_command_with_a_fresh_signature_is_not_run_again(linked, catalogue):
    body = command_body("create dev-environment --name=box", user=ALICE, trigger="13345224609.738474920.8088930838d")
    post_signed("/slack/commands/", body, signature_headers(body, timestamp=int(time.time()) - 60))

    again = post_signed("/slack/commands/", body, signature_headers(body))  # re-signed now: same trigger

    assert again.json()["text"] == "This command was already handled; nothing was done again."
    assert ChangeRequest.objects.count() == 1


@pytest.fixture
def box(alice, payments, dev_environment):
    change = finish_apply(finish_plan(request_change(alice, payments, dev_environment, name="box"),
                                      captured_plan("dev-environment-dev")))  # fmt: skip
    return Environment.objects.get(pk=change.environment_id)


def test_a_replayed_button_press_with_a_fresh_signature_extends_once(linked, box):
    before = box.expires_at
    body = interaction_body("extend:1", {"environment": box.pk, "days": 1}, user=ALICE, response_url=linked.url)

    post_signed("/slack/interactions/", body, signature_headers(body, timestamp=int(time.time()) - 30))
    post_signed("/slack/interactions/", body, signature_headers(body, timestamp=int(time.time()) - 30))
    replay = post_signed("/slack/interactions/", body, signature_headers(body))

    assert replay.status_code == 200
    box.refresh_from_db()
    assert box.expires_at - before == timedelta(days=1)
    assert len(linked.calls) == 1, "answered once on response_url"


def test_answers_go_only_to_slack(linked, box, settings, caplog):
    settings.SLACK_RESPONSE_URL_PREFIXES = ["https://hooks.slack.com/"]
    body = interaction_body("extend:1", {"environment": box.pk, "days": 1}, user=ALICE, response_url=linked.url)
    with caplog.at_level(logging.WARNING):
        post_signed("/slack/interactions/", body)
    assert linked.calls == []
    assert any("is not one of SLACK_RESPONSE_URL_PREFIXES" in r.getMessage() for r in caplog.records)


def test_replays_are_remembered_in_redis_shared_by_every_web_process(linked, catalogue, settings):
    # The suite's cache is per-process memory; production's is Redis, which every gunicorn worker shares.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL, "KEY_PREFIX": f"slack-test-{uuid.uuid4()}"}}  # fmt: skip
    body = command_body(CREATE, user=ALICE)
    post_signed("/slack/commands/", body)

    from django.core.cache import caches

    caches["default"].close()  # another process: a new connection, the same Redis
    again = post_signed("/slack/commands/", body, signature_headers(body))

    assert again.json()["text"] == "This command was already handled; nothing was done again."
    assert ChangeRequest.objects.count() == 1


def test_slacks_certificate_check_is_answered_and_does_nothing(linked):
    from django.test import Client

    before = records()
    response = Client().post(
        "/slack/commands/", data="ssl_check=1&token=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response.content == b""
    assert records() == before


def test_an_unreachable_response_url_leaves_the_action_done_and_logged(linked, box, caplog):
    from idp_portal.components import free_port

    before = box.expires_at
    gone = f"http://127.0.0.1:{free_port()}/actions/T0/1/x"
    with caplog.at_level(logging.ERROR):
        response = post_signed("/slack/interactions/",
                               interaction_body("extend:1", {"environment": box.pk, "days": 1}, user=ALICE,
                                                response_url=gone))  # fmt: skip
    assert response.status_code == 200
    box.refresh_from_db()
    assert box.expires_at - before == timedelta(days=1)
    assert any("could not post the answer to Slack's response_url" in r.getMessage() for r in caplog.records)
