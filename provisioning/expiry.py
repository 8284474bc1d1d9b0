"""The expiry sweep: warn teams before their environments expire, then decommission what has expired.

Run by Celery beat every few minutes (and `manage.py sweep_expiry`). Safe to run twice at once or
after a long pause: each notice is a row with a unique constraint, so it goes out once, and after a
pause only the latest notice due is sent (no "7 days left" when two hours are left).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from governance.audit import record
from governance.choices import AuditAction
from governance.roles import system_user
from provisioning import actions
from provisioning.choices import ChangeSource, EnvironmentStatus
from provisioning.models import Environment, ExpiryNotice
from provisioning.notifications import notify_team

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    notices_sent: list[str] = field(default_factory=list)
    decommissioned: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # expired but busy with a change: next sweep


def sweep_expiry(now: datetime | None = None) -> Sweep:
    now = now or timezone.now()
    result = Sweep()
    notices = settings.EXPIRY_NOTICES
    horizon = now + notices[0][1] if notices else now
    live = Environment.objects.filter(status=EnvironmentStatus.ACTIVE, expires_at__isnull=False)
    for environment in live.filter(expires_at__gt=now, expires_at__lte=horizon).select_related("team"):
        due = [(name, lead) for name, lead in notices if environment.expires_at - now <= lead]
        if due and _send_notice(environment, due, now):
            result.notices_sent.append(f"{environment} ({due[-1][0]})")
    expired = Environment.objects.filter(
        status__in=(EnvironmentStatus.ACTIVE, EnvironmentStatus.FAILED), expires_at__lte=now
    )
    for environment in expired.select_related("team"):
        if _decommission(environment):
            result.decommissioned.append(str(environment))
        else:
            result.waiting.append(str(environment))
    return result


def _send_notice(environment: Environment, due: list[tuple[str, timedelta]], now: datetime) -> bool:
    """Send the latest notice due for this expiry date, unless sent; mark earlier ones skipped. True when sent."""
    latest = due[-1][0]
    try:
        with transaction.atomic():
            ExpiryNotice.objects.create(environment=environment, expires_at=environment.expires_at, notice=latest)
            for name, _ in due[:-1]:
                ExpiryNotice.objects.get_or_create(
                    environment=environment, expires_at=environment.expires_at, notice=name, defaults={"sent": False}
                )
            left = _left(environment.expires_at - now)
            when = timezone.localtime(environment.expires_at).strftime("%Y-%m-%d %H:%M %Z")
            record(AuditAction.ENVIRONMENT_EXPIRY_NOTICE, environment=environment, notice=latest,
                   message=f"{environment} expires in {left} ({when}); told the team.")  # fmt: skip
            path = reverse("provisioning:environment_detail", args=[environment.pk])
            transaction.on_commit(lambda: notify_team(
                environment.team_id, f"{environment} expires in {left}",
                f"{environment} will be decommissioned at {when}. Extend it from its page if you still need it.",
                path, ":hourglass_flowing_sand:", extend_environment_id=environment.pk,
            ))  # fmt: skip
    except IntegrityError:
        return False  # already sent, by this sweep before or another at the same moment
    return True


def _left(delta: timedelta) -> str:
    hours = max(1, round(delta.total_seconds() / 3600))
    return f"{round(hours / 24)} days" if hours >= 48 else f"{hours} hours" if hours > 1 else "1 hour"


def _decommission(environment: Environment) -> bool:
    """Start its decommissioning, through the same action as a person's; False when a change holds it."""
    if environment.changes.open().exists():
        return False
    system = system_user()
    try:
        with transaction.atomic():
            change = actions.decommission_environment(
                actor=system, environment=environment, source=ChangeSource.SYSTEM,
                reason=f"Expired on {timezone.localtime(environment.expires_at):%Y-%m-%d %H:%M}.",
            )  # fmt: skip
            record(AuditAction.ENVIRONMENT_EXPIRED, actor=system, environment=environment, change_id=change.pk,
                   message=f"{environment} expired; decommissioning it (change #{change.pk}).")  # fmt: skip
    except actions.ChangeNotAllowed as exc:
        logger.info("expired %s not decommissioned yet: %s", environment, exc)
        return False
    return True
