"""Run the spend sync once (what beat runs every few hours): bill the sandbox, collect, alert."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from costs.cost_explorer import SpendUnavailable
from provisioning import spend


class Command(BaseCommand):
    help = "Collect actual spend per environment, then send budget alerts and report anomalies."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="pretend it is this day (YYYY-MM-DD)")
        parser.add_argument("--alerts-only", action="store_true", help="only check budgets and anomalies")

    def handle(self, *args, today, alerts_only, **options):
        if alerts_only:
            from django.utils import timezone

            day = today or timezone.now().date()
            told = spend.check_budgets(day)
            self.stdout.write(f"{len(told)} budget alert(s) sent")
            return
        try:
            sync = spend.sync_spend(today)
        except SpendUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{sync.records} daily cost record(s) from {sync.get_source_display()}")
