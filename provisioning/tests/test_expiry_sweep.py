"""The expiry sweep at chosen moments: each notice once, only the latest after a pause, re-armed by an
extension, then decommissioning by the portal itself through the same action as a person's."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conftest import request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from idp_portal.celery import app as celery_app
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus
from provisioning.expiry import sweep_expiry
from provisioning.models import ChangeRequest, Environment, ExpiryNotice
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan


@pytest.fixture
def tasks_inline():
    """Celery tasks run where they are queued: the notice really goes out by e-mail to the team's leads."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def box(alice, payments, dev_environment):
    """alice's development environment, built and active; it expires at `box.expires_at`."""
    change = finish_apply(finish_plan(request_change(alice, payments, dev_environment, name="box"),
                                      captured_plan("dev-environment-dev")))  # fmt: skip
    return Environment.objects.get(pk=change.environment_id)


def sweep_at(box, before_expiry: timedelta, capture, *, execute: bool = True):
    with capture(execute=execute):
        return sweep_expiry(now=box.expires_at - before_expiry)


def notices(box) -> list[tuple[str, bool]]:
    return sorted(box.expiry_notices.values_list("notice", "sent"))


def test_each_notice_goes_out_once_by_mail_with_a_link_to_extend(box, tasks_inline, django_capture_on_commit_callbacks):
    # eight days before: nothing due
    assert sweep_at(box, timedelta(days=8), django_capture_on_commit_callbacks).notices_sent == []

    # seven days before, twice: one notice
    sweep_at(box, timedelta(days=7), django_capture_on_commit_callbacks)
    sweep_at(box, timedelta(days=6, hours=23), django_capture_on_commit_callbacks)
    assert notices(box) == [("7d", True)]
    [message] = mail.outbox
    assert message.subject == "payments/box expires in 7 days"
    assert message.to == ["alice@example.com"]
    assert f"/environments/{box.pk}/" in message.body and "Extend it from its page" in message.body

    # a day before, then two hours before
    sweep_at(box, timedelta(hours=23), django_capture_on_commit_callbacks)
    sweep_at(box, timedelta(hours=1, minutes=59), django_capture_on_commit_callbacks)
    assert notices(box) == [("1d", True), ("2h", True), ("7d", True)]
    assert [m.subject for m in mail.outbox][1:] == [
        "payments/box expires in 23 hours",
        "payments/box expires in 2 hours",
    ]
    assert AuditEvent.objects.filter(environment=box, action=AuditAction.ENVIRONMENT_EXPIRY_NOTICE).count() == 3


def test_after_a_pause_only_the_latest_notice_due_is_sent(box, tasks_inline, django_capture_on_commit_callbacks):
    # the sweep did not run for days: 7d and 1d passed unseen, two hours are left
    sweep_at(box, timedelta(hours=1, minutes=30), django_capture_on_commit_callbacks)

    assert notices(box) == [("1d", False), ("2h", True), ("7d", False)]
    assert [m.subject for m in mail.outbox] == ["payments/box expires in 2 hours"]


def test_extending_re_arms_the_notices(box, alice, django_capture_on_commit_callbacks):
    sweep_at(box, timedelta(hours=20), django_capture_on_commit_callbacks)
    assert notices(box) == [("1d", True), ("7d", False)]

    extended = actions.extend_environment(actor=alice, environment=box, days=3)

    # the new date has its own notices: one day before it, a notice again
    with django_capture_on_commit_callbacks(execute=False):
        sweep_expiry(now=extended.expires_at - timedelta(hours=20))
    assert ExpiryNotice.objects.filter(environment=box, expires_at=extended.expires_at, sent=True).count() == 1


def test_at_expiry_the_portal_decommissions_through_the_same_action(box, django_capture_on_commit_callbacks):
    sweep = sweep_at(box, -timedelta(minutes=1), django_capture_on_commit_callbacks, execute=False)

    assert sweep.decommissioned == ["payments/box"]
    destroy = box.changes.get(action="destroy")
    assert (destroy.requested_by.username, destroy.source, destroy.status) == (
        "idp-system", ChangeSource.SYSTEM, ChangeStatus.CHECKING,
    )  # fmt: skip
    assert destroy.runs.get().destroy is True
    expired = AuditEvent.objects.get(environment=box, action=AuditAction.ENVIRONMENT_EXPIRED)
    assert expired.actor_name == "idp-system"
    assert f"change #{destroy.pk}" in expired.message

    # a second sweep does not ask twice
    again = sweep_at(box, -timedelta(minutes=2), django_capture_on_commit_callbacks, execute=False)
    assert (again.decommissioned, again.waiting) == ([], ["payments/box"])
    assert box.changes.filter(action="destroy").count() == 1


def test_an_expired_environment_busy_with_a_change_waits_for_the_next_sweep(box, alice):
    update = actions.update_environment(
        actor=alice, environment=box, parameters={**box.parameters, "volume_size_gb": 30}
    )
    sweep = sweep_expiry(now=box.expires_at + timedelta(minutes=1))
    assert sweep.waiting == ["payments/box"] and sweep.decommissioned == []
    assert not box.changes.filter(action="destroy").exists()
    assert box.changes.open().get() == update


def test_environments_that_never_expire_or_are_gone_are_left_alone(box, alice):
    Environment.objects.filter(pk=box.pk).update(expires_at=None)
    assert sweep_expiry(now=timezone.now() + timedelta(days=3650)).decommissioned == []
    Environment.objects.filter(pk=box.pk).update(
        expires_at=timezone.now() - timedelta(days=1), status=EnvironmentStatus.DECOMMISSIONED
    )
    assert sweep_expiry().decommissioned == []
    assert not ChangeRequest.objects.filter(action="destroy").exists()


def test_the_command_sweeps_once_and_says_what_it_did(box, capsys):
    moment = timezone.localtime(box.expires_at + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    call_command("sweep_expiry", "--now", moment)
    out = capsys.readouterr().out
    assert "decommissioning: payments/box" in out
    assert out.strip().endswith("0 notice(s), 1 decommissioning(s) started, 0 waiting")


def test_the_command_refuses_a_moment_it_cannot_read(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="write a date and time such as 2026-12-01T09:00"):
        call_command("sweep_expiry", "--now", "tomorrow")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_notice_once(alice, payments, catalogue, tasks_inline):
    """Two beat processes (threads, each its own PostgreSQL connection) sweep the same due notice."""
    version = catalogue["dev-environment"].current_version
    box = Environment.objects.create(
        team=payments, name="box", tier="dev", pattern_version=version, status=EnvironmentStatus.ACTIVE,
        expires_at=timezone.now() + timedelta(hours=1), created_by=alice,
    )  # fmt: skip
    start = threading.Barrier(2)
    results = []

    def sweep():
        try:
            start.wait()
            results.append(sweep_expiry())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(len(r.notices_sent) for r in results) == [0, 1]
    assert list(box.expiry_notices.filter(sent=True).values_list("notice", flat=True)) == ["2h"]
    assert [m.subject for m in mail.outbox] == ["payments/box expires in 1 hour"]
