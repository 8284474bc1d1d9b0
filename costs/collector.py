"""Read actual spend from Cost Explorer into cost records, idempotently (twice stores nothing twice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from costs.cost_explorer import SpendUnavailable, Window, daily_spend
from costs.models import CostRecord, SpendSync


def collect(client, *, source: str, environments, today: date | None = None) -> SpendSync:
    """One sync: the last two weeks of daily spend of `environments` (ids the portal knows; a tag from
    elsewhere is left out). A failure is recorded, then raised."""
    window = Window.ending(today or timezone.now().date())
    sync = SpendSync.objects.create(source=source)
    try:
        amounts = daily_spend(client, window)
    except SpendUnavailable as exc:
        SpendSync.objects.filter(pk=sync.pk).update(error=str(exc)[:2000], finished_at=timezone.now())
        raise
    known = set(environments)
    with transaction.atomic():
        stored = 0
        for (environment_id, day), amount in amounts.items():
            if environment_id not in known:
                continue
            CostRecord.objects.update_or_create(
                environment_id=environment_id, day=day, defaults={"amount": amount.quantize(Decimal("0.0001"))}
            )
            stored += 1
        SpendSync.objects.filter(pk=sync.pk).update(ok=True, records=stored, finished_at=timezone.now())
    sync.refresh_from_db()
    return sync


def last_sync(source: str | None = None) -> SpendSync | None:
    syncs = SpendSync.objects.filter(ok=True)
    if source:
        syncs = syncs.filter(source=source)
    return syncs.first()
