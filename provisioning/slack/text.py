"""Answers in Slack's text format (mrkdwn): refusals, field errors and policy violations people can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from provisioning.actions import ActionError, RequestInvalid

FIELD_NAMES = {"__all__": "request", "confirm_name": "confirm"}


def esc(value) -> str:
    """Slack's three control characters, escaped in anything a user or the catalogue wrote."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(path: str, label: str) -> str:
    return f"<{settings.PORTAL_BASE_URL.rstrip('/')}{path}|{esc(label)}>"


@dataclass
class Reply:
    """What the portal answers in Slack: text and optional Block Kit blocks, seen only by who asked."""

    text: str
    blocks: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        body = {"response_type": "ephemeral", "text": self.text}
        if self.blocks:
            body["blocks"] = self.blocks
        return body


def refusal(exc: ActionError) -> str:
    """An action's refusal: each bad field and what to change, or the action's own sentence."""
    if isinstance(exc, RequestInvalid):
        lines = [
            f"• *{esc(FIELD_NAMES.get(name, name))}*: {esc(' '.join(messages))}"
            for name, messages in exc.errors.items()
        ]
        return ":warning: Some values need a change; nothing was done.\n" + "\n".join(lines)
    return f":no_entry: {esc(exc)}"


def violations(change) -> str:
    """The policies a change broke, each with the resource and what to change."""
    lines = []
    for denial in change.denials:
        where = f" ({esc(denial['resource'])})" if denial.get("resource") else ""
        field_name = f" [field *{esc(denial['field'])}*]" if denial.get("field") else ""
        fix = f" _Fix:_ {esc(denial['remediation'])}" if denial.get("remediation") else ""
        lines.append(f"• *{esc(denial.get('title') or denial.get('policy'))}*{where}{field_name}: "
                     f"{esc(denial.get('message', ''))}{fix}")  # fmt: skip
    return "\n".join(lines)
