"""Slack as the tests play it: requests signed with the app's signing secret, as Slack signs them, and a
local HTTP receiver (idp_portal.components.WebhookReceiver) standing in for `response_url` and webhooks."""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import urlencode

from django.test import Client
from slack_sdk.signature import SignatureVerifier

from governance.models import SlackIdentity

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WORKSPACE = "T0PAYMENTS"
_triggers = itertools.count(1)


def configure(settings) -> None:
    """The portal as a Slack app's backend (the `slack_app` fixture); answers may go to the local receiver."""
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_RESPONSE_URL_PREFIXES = ["http://127.0.0.1:"]


def link_slack(user, slack_user_id: str) -> SlackIdentity:
    """A link as the portal makes it once the user confirmed (the confirmation itself: test_slack_linking)."""
    return SlackIdentity.objects.create(
        slack_team_id=WORKSPACE, slack_user_id=slack_user_id, slack_user_name=user.username, user=user
    )


def signature_headers(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def post_signed(path: str, body: str, headers: dict[str, str] | None = None):
    headers = signature_headers(body) if headers is None else headers
    return Client().post(path, data=body, content_type="application/x-www-form-urlencoded", headers=headers)


def command_body(text: str, *, user: str, name: str = "someone", team: str = WORKSPACE, response_url: str = "",
                 trigger: str | None = None) -> str:  # fmt: skip
    return urlencode({
        "token": "deprecated-verification-token", "team_id": team, "team_domain": "example", "channel_id": "C0DEV",
        "channel_name": "dev", "user_id": user, "user_name": name, "command": "/platform", "text": text,
        "api_app_id": "A0PLATFORM", "response_url": response_url or "http://127.0.0.1:9/commands/1",
        "trigger_id": trigger or f"trigger-{next(_triggers)}",
    })  # fmt: skip


def command(text: str, *, user: str, **kwargs):
    """`/platform <text>` typed by Slack user `user`: the portal's HTTP answer."""
    return post_signed("/slack/commands/", command_body(text, user=user, **kwargs))


def said(response) -> str:
    """What the user sees of a command's answer (only them: ephemeral)."""
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    return answer["text"]


def interaction_body(
    action_id: str, value: dict, *, user: str, response_url: str, name: str = "someone", comment: str | None = None,
    team: str = WORKSPACE,
) -> str:  # fmt: skip
    state = {"values": {}}
    if comment is not None:
        state["values"]["review_comment"] = {"comment": {"type": "plain_text_input", "value": comment}}
    payload = {
        "type": "block_actions", "user": {"id": user, "username": name, "team_id": team}, "team": {"id": team},
        "api_app_id": "A0PLATFORM", "trigger_id": f"trigger-{next(_triggers)}", "response_url": response_url,
        "container": {"type": "message"}, "state": state,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": json.dumps(value),
                     "action_ts": f"{time.time():.6f}"}],
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


def press(action_id: str, value: dict, *, user: str, response_url: str, **kwargs):
    """A button pressed by Slack user `user`; the portal answers on `response_url`."""
    return post_signed("/slack/interactions/", interaction_body(action_id, value, user=user,
                                                                response_url=response_url, **kwargs))  # fmt: skip


def button(blocks: list[dict], label: str) -> dict:
    """The button labelled `label` in a message, to press it as Slack would send it."""
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return {"action_id": element["action_id"], "value": json.loads(element["value"])}
    raise AssertionError(f"no button {label!r} in {blocks}")


def buttons(blocks: list[dict]) -> list[str]:
    return [e["text"]["text"] for b in blocks for e in b.get("elements", []) if e.get("type") == "button"]
