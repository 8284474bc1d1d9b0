"""Run the expiry sweep once (what beat runs every few minutes): notices, then decommissioning."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from provisioning.expiry import sweep_expiry


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now {text!r}: write a date and time such as 2026-12-01T09:00.") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Warn teams of environments about to expire and decommission the expired ones."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="sweep as if it were this moment (YYYY-MM-DDTHH:MM); it acts for real")

    def handle(self, *args, now=None, **options):
        sweep = sweep_expiry(_moment(now) if now else None)
        for line in sweep.notices_sent:
            self.stdout.write(f"notice: {line}")
        for line in sweep.decommissioned:
            self.stdout.write(f"decommissioning: {line}")
        for line in sweep.waiting:
            self.stdout.write(f"expired, busy with a change (next sweep): {line}")
        self.stdout.write(
            f"{len(sweep.notices_sent)} notice(s), {len(sweep.decommissioned)} decommissioning(s) started, "
            f"{len(sweep.waiting)} waiting"
        )
