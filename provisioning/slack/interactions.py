"""Buttons pressed on the portal's Slack messages: approve or reject a change, extend an expiring
environment, confirm (or drop) a decommission. Each calls the same action as the pages, with the
linked portal user of whoever pressed as the actor; the action decides, the four-eyes rule included.

The answer goes to the message's `response_url`: on success the original message is redrawn (its
buttons gone, or only those still useful); a refusal is shown only to the person who pressed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.urls import reverse

from provisioning import actions
from provisioning.actions import ActionError, NotFound
from provisioning.choices import ApprovalDecision, ChangeSource
from provisioning.models import ChangeRequest, Environment
from provisioning.slack import blocks
from provisioning.slack.commands import change_reply
from provisioning.slack.text import esc, link, refusal

logger = logging.getLogger(__name__)
CHAT = ChangeSource.CHAT


@dataclass
class Outcome:
    """What to post to `response_url`: `replace` redraws the original message, otherwise only the presser sees it."""

    text: str
    blocks: list[dict] | None = None
    replace: bool = False

    def as_json(self) -> dict:
        body: dict = {"text": self.text}
        if self.replace:
            body.update(replace_original=True, blocks=self.blocks or [blocks.section(self.text)])
        else:
            body.update(response_type="ephemeral", replace_original=False)
            if self.blocks:
                body["blocks"] = self.blocks
        return body


class BadPayload(Exception):
    """Not a button of ours, or a value that does not parse: nothing done."""


def handle(*, actor, payload: dict, slack_name: str) -> Outcome:
    """The first action of a `block_actions` payload, done as `actor`."""
    try:
        action = payload["actions"][0]
        action_id = str(action["action_id"])
        value = json.loads(action.get("value") or "{}")
        if not isinstance(value, dict):
            raise ValueError("not an object")
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise BadPayload(f"unreadable action: {exc}") from None
    kind, _, argument = action_id.partition(":")
    handler = HANDLERS.get(kind)
    if handler is None:
        raise BadPayload(f"unknown action {action_id!r}")
    try:
        return handler(actor, argument, value, payload, slack_name)
    except ActionError as exc:
        return Outcome(refusal(exc))


def _int(value: dict, key: str) -> int:
    number = value.get(key)
    if not isinstance(number, int) or isinstance(number, bool):
        raise BadPayload(f"{key} is not a number")
    return number


def _comment(payload: dict) -> str:
    """The review comment typed into the notice's comment box (Slack sends the message's input state)."""
    values = (payload.get("state") or {}).get("values") or {}
    entry = (values.get(blocks.COMMENT_BLOCK) or {}).get(blocks.COMMENT_ACTION) or {}
    return str(entry.get("value") or "")[:2000]


def decide(decision: str):
    def handler(actor, group: str, value: dict, payload: dict, slack_name: str) -> Outcome:
        change = ChangeRequest.objects.filter(pk=_int(value, "change")).select_related("environment__team").first()
        if change is None:
            raise NotFound("No such change, or you may not see it.")
        actions.decide_change(actor=actor, change=change, group=group, decision=decision, comment=_comment(payload),
                              source=CHAT)  # fmt: skip
        change.refresh_from_db()
        verb = "approved" if decision == ApprovalDecision.APPROVED else "rejected"
        done = f"{esc(actor)} (@{esc(slack_name)}) {verb} change #{change.pk} for {esc(group)}."
        return Outcome(done, blocks=blocks.approval_blocks(change, outcome=done), replace=True)

    return handler


def extend(actor, days_text: str, value: dict, payload: dict, slack_name: str) -> Outcome:
    environment = Environment.objects.filter(pk=_int(value, "environment")).first()
    if environment is None:
        raise NotFound("No such environment, or you may not see it.")
    result = actions.extend_environment(actor=actor, environment=environment, days=_int(value, "days"), source=CHAT)
    if isinstance(result, ChangeRequest):  # the tier's maximum moved since the notice: a reviewed extension
        return Outcome(change_reply(result, f"asked to keep {esc(environment)} longer").text)
    path = reverse("provisioning:environment_detail", args=[result.pk])
    text = (f":white_check_mark: {link(path, str(result))} now expires on {result.expires_at:%Y-%m-%d %H:%M} UTC: "
            f"extended by {value['days']} day(s) by {esc(actor)} (@{esc(slack_name)}).")  # fmt: skip
    return Outcome(text, replace=True)


def decommission(actor, _: str, value: dict, payload: dict, slack_name: str) -> Outcome:
    environment = Environment.objects.filter(pk=_int(value, "environment")).first()
    if environment is None:
        raise NotFound("No such environment, or you may not see it.")
    change = actions.decommission_environment(actor=actor, environment=environment,
                                              confirm_name=str(value.get("confirm", "")), source=CHAT)  # fmt: skip
    return Outcome(change_reply(change, f"asked to decommission {esc(environment)}").text, replace=True)


def keep(actor, _: str, value: dict, payload: dict, slack_name: str) -> Outcome:
    return Outcome("Kept it: nothing was decommissioned.", replace=True)


HANDLERS = {
    "approve": decide(ApprovalDecision.APPROVED),
    "reject": decide(ApprovalDecision.REJECTED),
    "extend": extend,
    "decommission": decommission,
    "keep": keep,
}
