"""Tell people about changes: e-mail (Django's mail backend) and the team's Slack incoming webhook.

Sent from Celery tasks after the transaction commits, one task per channel: a
failing mail server or webhook is logged, retried with back-off when a retry can
help (`NotificationError.retryable`), and never blocks or fails the change.
"""

from __future__ import annotations

import logging

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


def notify_change(change_id: int, event: str) -> None:
    """Queue the notifications, one task per channel (called from transaction.on_commit)."""
    from provisioning.tasks import notify_change_task

    for channel in CHANNELS:
        try:
            notify_change_task.delay(change_id, event, channel)
        except Exception:  # the broker being down must not break the request that triggered this
            logger.exception("could not queue notification %s for change %s via %s", event, change_id, channel)


def deliver(change_id: int, event: str, channel: str) -> str:
    """Send the event's notification on one channel; returns what happened. Raises NotificationError."""
    from provisioning.models import ChangeRequest

    change = ChangeRequest.objects.select_related("environment__team", "requested_by").get(pk=change_id)
    subject = SUBJECTS[event].format(id=change.pk, env=change.environment)
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("provisioning:change_detail", args=[change.pk])
    return CHANNELS[channel](change, event, subject, body(change, event, link), link)


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


def _email(change, event: str, subject: str, body: str, link: str) -> str:
    recipients = _recipients(change, event)
    if not recipients:
        return "no recipients"
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError as exc:
        raise NotificationError(f"mail server: {exc}", retryable=True) from exc
    return f"sent to {len(recipients)}"


def _slack(change, event: str, subject: str, body: str, link: str) -> str:
    from slack_sdk.webhook import WebhookClient

    url = change.environment.team.slack_webhook_url
    if not url:
        return "no webhook"
    client = WebhookClient(url, timeout=settings.SLACK_TIMEOUT_SECONDS)
    text = f"{EMOJI[event]} <{link}|{subject}>"
    try:
        response = client.send(
            text=text,
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"{text}\n{body.split(chr(10) + chr(10))[0]}"}}
            ],
        )
    except Exception as exc:  # slack-sdk raises URLError, timeouts, ... for an unreachable webhook
        raise NotificationError(f"webhook unreachable: {exc}", retryable=True) from exc
    if response.status_code >= 300:
        raise NotificationError(f"webhook answered {response.status_code}", retryable=response.status_code >= 500)
    return "posted"


CHANNELS = {"email": _email, "slack": _slack}
