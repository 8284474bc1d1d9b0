"""Which environments to check for drift now: due ones, oldest check first, a few per round.

Spreading the checks keeps the cloud API's rate limits and the workers free for people's
changes; an environment busy with a change or a run is skipped and comes back next round.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from governance.roles import system_user
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus, RunStatus
from provisioning.models import Environment


def due_for_drift_check(now=None):
    now = now or timezone.now()
    stale = Q(drift_checked_at__isnull=True) | Q(drift_checked_at__lt=now - timedelta(hours=settings.DRIFT_CHECK_HOURS))
    busy_changes = Q(changes__status__in=ChangeStatus.open_values())
    busy_runs = Q(runs__status__in=(RunStatus.QUEUED, RunStatus.RUNNING))
    return (
        Environment.objects.filter(stale, status=EnvironmentStatus.ACTIVE)
        .exclude(busy_changes)
        .exclude(busy_runs)
        .order_by(F("drift_checked_at").asc(nulls_first=True), "pk")
    )


def schedule_drift_checks(now=None) -> list[str]:
    """Start up to DRIFT_CHECKS_PER_ROUND drift checks; returns the environments checked."""
    started = []
    actor = system_user()
    for environment in due_for_drift_check(now)[: settings.DRIFT_CHECKS_PER_ROUND]:
        try:
            actions.check_drift(actor=actor, environment=environment, source=ChangeSource.SYSTEM)
        except actions.ChangeNotAllowed:
            continue  # became busy since the query: next round
        started.append(str(environment))
    return started
