"""Notifications: e-mail to the requester or the waiting reviewers, and the team's Slack incoming
webhook, here a real HTTP receiver on 127.0.0.1; a failing channel is reported and retried when that
can help, never raised into the change."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from provisioning import notifications
from provisioning.actions import decide_change, pipeline, runs
from provisioning.choices import RunKind
from provisioning.notifications import CHANNELS, NotificationError, deliver, notify_change
from provisioning.tasks import notify_change_task
from provisioning.tests.plans import running


class WebhookReceiver:
    """A local stand-in for Slack's incoming webhooks: records every POST, answers `status`."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "content_type": self.headers.get("Content-Type"), "json": json.loads(body)}
                )
                time.sleep(delay)
                answer = b"ok" if status < 300 else b"internal_error"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services/T0001/B0001/secret"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    receivers = []

    def start(**kwargs) -> WebhookReceiver:
        receivers.append(WebhookReceiver(**kwargs))
        return receivers[-1]

    yield start
    for receiver in receivers:
        receiver.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_webhook(team, url: str) -> None:
    team.slack_webhook_url = url
    team.save()


def deliver_all(change_id: int, event: str) -> dict[str, str]:
    """Every channel, as the tasks send them: what happened on each."""
    outcome = {}
    for channel in CHANNELS:
        try:
            outcome[channel] = deliver(change_id, event, channel)
        except NotificationError as exc:
            outcome[channel] = f"failed: {exc}"
    return outcome


def recipients() -> list[list[str]]:
    return [sorted(message.to) for message in mail.outbox]


# -- e-mail -------------------------------------------------------------------------------
def test_reviewers_of_the_waiting_groups_are_told_a_change_waits(awaiting, nina, sam, pat, settings):
    outcome = deliver_all(awaiting.pk, "awaiting_approval")

    assert outcome == {"email": "sent to 2", "slack": "no webhook"}
    [message] = mail.outbox
    assert sorted(message.to) == ["nina@example.com", "sam@example.com"]
    assert message.subject == f"Change #{awaiting.pk} (payments/checkout) waits for your review"
    assert "Requested by alice; needs: network, security." in message.body
    assert f"{settings.PORTAL_BASE_URL.rstrip('/')}/changes/{awaiting.pk}/" in message.body


def test_only_the_groups_still_waiting_are_told(awaiting, nina, sam):
    decide_change(actor=nina, change=awaiting, group="network", decision="approved")
    deliver_all(awaiting.pk, "awaiting_approval")
    assert recipients() == [["sam@example.com"]]


def test_the_requester_is_never_told_to_review_their_own_change(awaiting, alice, sam):
    alice.groups.add(Group.objects.get_or_create(name="security")[0])
    deliver_all(awaiting.pk, "awaiting_approval")
    assert recipients() == [["sam@example.com"]]


def test_the_requester_is_told_of_a_policy_rejection_with_every_violation(rejected_open_database):
    outcome = deliver_all(rejected_open_database.pk, "rejected")

    assert outcome["email"] == "sent to 1"
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Change #{rejected_open_database.pk} (payments/checkout) rejected"
    assert (
        "- No ingress from large parts of the internet: module.pattern.aws_security_group.database admits 0.0.0.0/0 "
        "on ports 5432-5432: its group is open to 3702259456 public addresses, more than a /16. "
        "Fix: Replace these ranges" in message.body
    )


def test_the_requester_is_told_who_rejected_and_why(awaiting, nina, sam):
    decide_change(actor=sam, change=awaiting, group="security", decision="rejected", comment="Use the shared key.")

    deliver_all(awaiting.pk, "rejected")

    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert f"sam rejected change #{awaiting.pk} for security via portal: “Use the shared key.”" in message.body


@pytest.mark.parametrize("event", ["approved", "applied", "failed"])
def test_the_requester_is_told_of_approval_apply_and_failure(awaiting, event):
    awaiting.failure_reason = "terraform apply: AccessDenied on kms:CreateKey"
    awaiting.save()

    outcome = deliver_all(awaiting.pk, event)

    assert outcome == {"email": "sent to 1", "slack": "no webhook"}
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Change #{awaiting.pk} (payments/checkout) {event}"
    assert ("AccessDenied on kms:CreateKey" in message.body) == (event == "failed")


def test_a_requester_without_an_address_gets_no_mail(awaiting, alice):
    alice.email = ""
    alice.save()
    assert deliver_all(awaiting.pk, "approved")["email"] == "no recipients"
    assert mail.outbox == []


def test_a_mail_server_that_is_down_is_reported_and_slack_still_posts(awaiting, payments, webhook, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    slack = webhook()
    use_webhook(payments, slack.url)

    outcome = deliver_all(awaiting.pk, "approved")

    assert outcome["email"].startswith("failed: mail server:")
    assert outcome["slack"] == "posted" and len(slack.requests) == 1


# -- Slack -----------------------------------------------------------------------------------
def test_the_teams_webhook_receives_a_message_about_the_change(awaiting, payments, webhook, nina, sam):
    slack = webhook()
    use_webhook(payments, slack.url)

    outcome = deliver_all(awaiting.pk, "awaiting_approval")

    assert outcome == {"email": "sent to 2", "slack": "posted"}
    [request] = slack.requests
    assert request["path"] == "/services/T0001/B0001/secret"
    assert request["content_type"].startswith("application/json")
    payload = request["json"]
    assert f"Change #{awaiting.pk} (payments/checkout) waits for your review" in payload["text"]
    assert f"/changes/{awaiting.pk}/" in payload["text"]
    assert payload["text"].startswith(":hourglass:")
    first, *rest = payload["blocks"]
    assert f"Change #{awaiting.pk}" in first["text"]["text"]
    [buttons] = [block for block in rest if block["type"] == "actions"]  # to decide from Slack (test_slack_buttons)
    assert [b["text"]["text"] for b in buttons["elements"]] == [
        "Approve for network", "Reject for network", "Approve for security", "Reject for security"
    ]  # fmt: skip


def test_another_teams_webhook_hears_nothing(awaiting, payments, analytics, webhook):
    theirs = webhook()
    use_webhook(analytics, theirs.url)
    deliver_all(awaiting.pk, "approved")
    assert theirs.requests == []


def test_a_webhook_answering_500_is_reported_as_failed_and_raises_nothing(awaiting, payments, webhook):
    slack = webhook(status=500)
    use_webhook(payments, slack.url)

    outcome = deliver_all(awaiting.pk, "approved")

    assert outcome == {"email": "sent to 1", "slack": "failed: webhook answered 500"}
    assert len(slack.requests) == 1
    assert len(mail.outbox) == 1  # the other channel still went out


def test_an_unreachable_webhook_is_reported_as_failed_and_raises_nothing(awaiting, payments):
    use_webhook(payments, f"http://127.0.0.1:{free_port()}/services/T0001/B0001/secret")

    outcome = deliver_all(awaiting.pk, "approved")

    assert outcome["slack"].startswith("failed: webhook unreachable:")
    assert outcome["email"] == "sent to 1"


def test_a_webhook_that_hangs_is_given_up_after_the_timeout(awaiting, payments, webhook, settings):
    settings.SLACK_TIMEOUT_SECONDS = 1
    slack = webhook(delay=3)
    use_webhook(payments, slack.url)

    started = time.monotonic()
    outcome = deliver_all(awaiting.pk, "approved")

    assert outcome["slack"].startswith("failed: webhook unreachable:")
    assert time.monotonic() - started < 3


# -- queueing -------------------------------------------------------------------------------
def test_the_task_delivers_one_channel(awaiting, payments, webhook):
    slack = webhook()
    use_webhook(payments, slack.url)
    assert notify_change_task.apply(args=(awaiting.pk, "approved", "slack")).get() == "posted"
    assert notify_change_task.apply(args=(awaiting.pk, "approved", "email")).get() == "sent to 1"
    assert len(slack.requests) == 1 and len(mail.outbox) == 1


def test_a_webhook_failing_on_its_side_is_retried_then_given_up(awaiting, payments, webhook):
    slack = webhook(status=503)
    use_webhook(payments, slack.url)

    outcome = notify_change_task.apply(args=(awaiting.pk, "approved", "slack")).get()

    assert outcome == "failed: webhook answered 503"
    assert len(slack.requests) == 1 + notify_change_task.max_retries


def test_a_webhook_refusing_the_message_is_not_retried(awaiting, payments, webhook):
    slack = webhook(status=404)
    use_webhook(payments, slack.url)

    assert notify_change_task.apply(args=(awaiting.pk, "approved", "slack")).get() == "failed: webhook answered 404"
    assert len(slack.requests) == 1


def test_a_broker_that_is_down_does_not_break_the_change(awaiting, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(notify_change_task, "delay", broker_down)

    notify_change(awaiting.pk, "approved")  # raises nothing

    assert "could not queue notification approved" in caplog.text


def test_each_step_of_a_change_queues_its_notification_after_commit(
    awaiting, nina, sam, monkeypatch, django_capture_on_commit_callbacks
):
    # record what would be queued, instead of queueing it
    queued = []
    for module in (notifications, pipeline, runs):
        monkeypatch.setattr(module, "notify_change", lambda change_id, event: queued.append(event))

    decide_change(actor=nina, change=awaiting, group="network", decision="approved")
    with django_capture_on_commit_callbacks() as callbacks:
        decide_change(actor=sam, change=awaiting, group="security", decision="approved")
    callbacks[0]()  # the notification only: the apply task (callbacks[1]) is left alone
    with django_capture_on_commit_callbacks() as callbacks:
        runs.apply_finished(running(awaiting.runs.get(kind=RunKind.APPLY)).pk, exit_code=0, outputs={}, state={})
    [notify] = callbacks
    notify()

    assert queued == ["approved", "applied"]
