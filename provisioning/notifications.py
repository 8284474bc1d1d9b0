"""Tell people about changes: e-mail (Django's mail backend) and the team's Slack incoming webhook.

On Slack, a change waiting for review carries Approve/Reject buttons and an expiry warning carries
Extend buttons (Block Kit from `provisioning.slack.blocks`); pressing one reaches `/slack/interactions/`.

Sent from Celery tasks after the transaction commits, one task per channel: a
failing mail server or webhook is logged, retried with back-off when a retry can
help (`NotificationError.retryable`), and never blocks or fails the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.urls import reverse

from governance.choices import AuditAction

logger = logging.getLogger(__name__)

SUBJECTS = {
    "awaiting_approval": "Change #{id} ({env}) waits for your review",
    "approved": "Change #{id} ({env}) approved",
    "rejected": "Change #{id} ({env}) rejected",
    "applied": "Change #{id} ({env}) applied",
    "failed": "Change #{id} ({env}) failed",
}
EMOJI = {"awaiting_approval": ":hourglass:", "approved": ":white_check_mark:", "rejected": ":no_entry:",
         "applied": ":rocket:", "failed": ":x:"}  # fmt: skip


class NotificationError(Exception):
    """A channel failed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str
    emoji: str
    recipients: tuple[str, ...]
    webhook_url: str
    blocks: list[dict] | None = None  # Slack Block Kit with buttons; None: a plain section


def notify_change(change_id: int, event: str) -> None:
    """Queue the notifications, one task per channel (called from transaction.on_commit)."""
    from provisioning.tasks import notify_change_task

    for channel in CHANNELS:
        try:
            notify_change_task.delay(change_id, event, channel)
        except Exception:  # the broker being down must not break the request that triggered this
            logger.exception("could not queue notification %s for change %s via %s", event, change_id, channel)


def notify_team(
    team_id: int, subject: str, body: str, path: str, emoji: str = ":bell:", *, extend_environment_id: int | None = None
) -> None:
    """Tell a team's leads (e-mail) and its Slack channel; `path` is the portal page to link.

    `extend_environment_id`: the Slack message offers buttons to extend that environment."""
    from provisioning.tasks import notify_team_task

    for channel in CHANNELS:
        try:
            notify_team_task.delay(team_id, subject, body, path, emoji, channel, extend_environment_id)
        except Exception:
            logger.exception("could not queue team notification %r for team %s via %s", subject, team_id, channel)


def deliver(change_id: int, event: str, channel: str) -> str:
    """Send the event's notification on one channel; returns what happened. Raises NotificationError."""
    return CHANNELS[channel](change_message(change_id, event))


def deliver_to_team(
    team_id: int, subject: str, body: str, path: str, emoji: str, channel: str, extend_environment_id: int | None = None
) -> str:
    from governance.choices import MembershipRole
    from governance.models import Team
    from provisioning.models import Environment
    from provisioning.slack.blocks import expiry_blocks

    team = Team.objects.get(pk=team_id)
    leads = team.memberships.filter(role=MembershipRole.LEAD, user__is_active=True).select_related("user")
    link = _absolute(path)
    message = Message(
        subject=subject,
        body=f"{body}\n\n{link}",
        link=link,
        emoji=emoji,
        recipients=tuple(sorted({m.user.email for m in leads if m.user.email})),
        webhook_url=team.slack_webhook_url,
    )
    environment = None
    if extend_environment_id is not None and channel == "slack":
        environment = Environment.objects.filter(pk=extend_environment_id, team=team, expires_at__isnull=False).first()
    if environment is not None and environment.is_live:
        message = replace(message, blocks=expiry_blocks(environment, subject, body, path))
    return CHANNELS[channel](message)


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def change_message(change_id: int, event: str) -> Message:
    from provisioning.models import ChangeRequest
    from provisioning.slack.blocks import approval_blocks

    change = ChangeRequest.objects.select_related("environment__team", "requested_by").get(pk=change_id)
    link = _absolute(reverse("provisioning:change_detail", args=[change.pk]))
    return Message(
        subject=SUBJECTS[event].format(id=change.pk, env=change.environment),
        body=body(change, event, link),
        link=link,
        emoji=EMOJI[event],
        recipients=tuple(_recipients(change, event)),
        webhook_url=change.environment.team.slack_webhook_url,
        blocks=approval_blocks(change) if event == "awaiting_approval" else None,
    )


def body(change, event: str, link: str) -> str:
    lines = [f"{SUBJECTS[event].format(id=change.pk, env=change.environment)}.", ""]
    if event == "rejected":
        denials = change.denials
        lines += [f"- {d['title']}: {d['message']} Fix: {d['remediation']}" for d in denials] or [
            change.failure_reason or "A reviewer rejected it."
        ]
        if not denials:
            last = change.audit_events.filter(action=AuditAction.APPROVAL_REFUSED).first()
            if last:
                lines.append(last.message)
    elif event == "failed":
        lines.append(change.failure_reason[:1500])
    elif event == "awaiting_approval":
        groups = ", ".join(change.requirements.current().values_list("group", flat=True))
        lines.append(f"Requested by {change.requested_by}; needs: {groups}.")
    lines += ["", link]
    return "\n".join(lines)


def _recipients(change, event: str) -> list[str]:
    if event == "awaiting_approval":
        groups = change.requirements.pending().values_list("group", flat=True)
        users = User.objects.filter(groups__name__in=list(groups), is_active=True).exclude(pk=change.requested_by_id)
        return sorted({u.email for u in users if u.email})
    return [change.requested_by.email] if change.requested_by.email else []


def _email(message: Message) -> str:
    if not message.recipients:
        return "no recipients"
    try:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, list(message.recipients))
    except OSError as exc:
        raise NotificationError(f"mail server: {exc}", retryable=True) from exc
    return f"sent to {len(message.recipients)}"


def _slack(message: Message) -> str:
    from slack_sdk.webhook import WebhookClient

    if not message.webhook_url:
        return "no webhook"
    client = WebhookClient(message.webhook_url, timeout=settings.SLACK_TIMEOUT_SECONDS)
    text = f"{message.emoji} <{message.link}|{message.subject}>"
    first_paragraph = message.body.split("\n\n")[0]
    blocks = message.blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": f"{text}\n{first_paragraph}"}}]
    try:
        response = client.send(text=text, blocks=blocks)
    except Exception as exc:  # slack-sdk raises URLError, timeouts, ... for an unreachable webhook
        raise NotificationError(f"webhook unreachable: {exc}", retryable=True) from exc
    if response.status_code >= 300:
        raise NotificationError(f"webhook answered {response.status_code}", retryable=response.status_code >= 500)
    return "posted"


CHANNELS = {"email": _email, "slack": _slack}
