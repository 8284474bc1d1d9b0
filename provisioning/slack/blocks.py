"""Block Kit for notices with buttons: a change waiting for review, an environment about to expire.

A notice is drawn from the database as it is now, so after a button press the same function redraws
it: a group that decided loses its buttons, a change no longer waiting has none left.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from provisioning.choices import ChangeStatus
from provisioning.slack.text import esc, link
from provisioning.validation import extension_limit

EXTEND_CHOICES = (1, 7)  # days offered on an expiry notice, when the tier's maximum allows them
DECISION_EMOJI = {"approved": ":white_check_mark:", "rejected": ":no_entry:"}
COMMENT_BLOCK, COMMENT_ACTION = "review_comment", "comment"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def button(label: str, action_id: str, value: dict, *, style: str = "", confirm: dict | None = None) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": label[:75]}, "action_id": action_id,
               "value": json.dumps(value, separators=(",", ":"))}  # fmt: skip
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str) -> dict:
    return {"title": {"type": "plain_text", "text": title[:100]}, "text": {"type": "mrkdwn", "text": text[:300]},
            "confirm": {"type": "plain_text", "text": yes[:30]}, "deny": {"type": "plain_text", "text": "Keep it"},
            "style": "danger"}  # fmt: skip


def approval_blocks(change, outcome: str = "") -> list[dict]:
    """A change's review notice: who asked, what it needs, each group's decision, and buttons for the groups
    that still have to decide (with a comment box: a rejection must say why)."""
    path = reverse("provisioning:change_detail", args=[change.pk])
    waiting = change.status == ChangeStatus.AWAITING_APPROVAL
    headline = f"Change #{change.pk} ({change.environment}) " + (
        "waits for review" if waiting else f"is {change.get_status_display().lower()}"
    )
    requirements = list(change.requirements.current().select_related("approval__reviewer"))
    lines = [f"{':hourglass:' if waiting else ':clipboard:'} {link(path, headline)}",
             f"{esc(change.get_action_display())}: {esc(change.environment.pattern_version)} ({esc(change.environment.tier)}), "
             f"requested by {esc(change.requested_by)}."]  # fmt: skip
    if change.reason:
        lines.append(f"_Reason:_ {esc(change.reason[:500])}")
    if change.cost_estimate is not None:
        lines.append(f"Estimated cost: ${change.cost_estimate:,.2f} a month.")
    blocks = [section("\n".join(lines))]
    decided = []
    for requirement in requirements:
        approval = getattr(requirement, "approval", None)
        if approval is None:
            why = "; ".join(str(r) for r in requirement.reasons[:3])
            decided.append(f":hourglass: *{requirement.group}*: waiting" + (f" ({esc(why)})" if why else ""))
        else:
            comment = f": “{esc(approval.comment[:300])}”" if approval.comment else ""
            decided.append(f"{DECISION_EMOJI.get(approval.decision, '')} *{requirement.group}*: "
                           f"{approval.get_decision_display().lower()} by {esc(approval.reviewer)}{comment}")  # fmt: skip
    if decided:
        blocks.append(section("\n".join(decided)))
    pending = [r.group for r in requirements if getattr(r, "approval", None) is None]
    if waiting and pending:
        blocks.append({"type": "input", "block_id": COMMENT_BLOCK, "optional": True,
                       "label": {"type": "plain_text", "text": "Comment (required to reject)"},
                       "element": {"type": "plain_text_input", "action_id": COMMENT_ACTION, "multiline": True,
                                   "max_length": 2000}})  # fmt: skip
        elements = []
        for group in pending:
            value = {"change": change.pk, "group": group}
            elements.append(button(f"Approve for {group}", f"approve:{group}", value, style="primary"))
            elements.append(button(f"Reject for {group}", f"reject:{group}", value, style="danger"))
        blocks.append({"type": "actions", "block_id": f"review:{change.pk}", "elements": elements})
    if outcome:
        blocks.append(context(outcome))
    return blocks


def extend_choices(environment, now=None) -> list[int]:
    """The days offered as buttons: those the tier's maximum allows at once (beyond it needs a reason)."""
    now = now or timezone.now()
    limit = extension_limit(environment)
    start = max(environment.expires_at, now) if environment.expires_at else now
    return [d for d in EXTEND_CHOICES if limit is None or start + timedelta(days=d) <= now + timedelta(days=limit)]


def expiry_blocks(environment, headline: str, body: str, path: str) -> list[dict]:
    """An expiry warning with a button per extension the team may take at once."""
    blocks = [section(f":hourglass_flowing_sand: {link(path, headline)}\n{esc(body)}")]
    elements = [button(f"Extend {days} day{'s' if days != 1 else ''}", f"extend:{days}",
                       {"environment": environment.pk, "days": days}) for days in extend_choices(environment)]  # fmt: skip
    if elements:
        blocks.append({"type": "actions", "block_id": f"expiry:{environment.pk}", "elements": elements})
    return blocks


def decommission_confirmation(environment, typed_name: str) -> list[dict]:
    """The second step of `/platform destroy`: a button carrying the name the user typed."""
    path = reverse("provisioning:environment_detail", args=[environment.pk])
    text = (f":warning: Decommissioning {link(path, str(environment))} destroys every resource in it "
            f"({len(environment.resources)} in state); the environment stays as history.\n"
            f"Press the button, or type `/platform destroy {esc(environment.name)} --confirm={esc(environment.name)}`.")  # fmt: skip
    value = {"environment": environment.pk, "confirm": typed_name}
    dialog = confirm_dialog(f"Decommission {environment}?"[:100], f"Every resource of *{esc(environment)}* is destroyed.",
                            "Decommission")  # fmt: skip
    return [
        section(text),
        {"type": "actions", "block_id": f"destroy:{environment.pk}", "elements": [
            button(f"Decommission {environment}", "decommission", value, style="danger", confirm=dialog),
            button("Keep it", "keep", {"environment": environment.pk}),
        ]},
    ]  # fmt: skip
