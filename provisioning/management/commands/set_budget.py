"""Set teams' budgets from the shell, in bulk: `manage.py set_budget payments 5000 --mode deny`."""

from django.core.management.base import BaseCommand, CommandError

from governance.models import Team
from governance.roles import system_user
from provisioning import actions
from provisioning.choices import ChangeSource


class Command(BaseCommand):
    help = "Set a team's monthly budget (USD) and what happens when a change would go over it."

    def add_arguments(self, parser):
        parser.add_argument("teams", nargs="+", metavar="TEAM", help="team slug(s); the last number is the amount")
        parser.add_argument("--mode", choices=["approve", "deny"], help="approve: finance reviews; deny: refused")
        parser.add_argument("--alerts", help="alert thresholds in percent, such as 80,100")

    def handle(self, *args, teams, mode, alerts, **options):
        *slugs, amount = teams
        if not slugs:
            raise CommandError("Name at least one team, then the amount: set_budget payments 5000")
        thresholds = None
        if alerts:
            try:
                thresholds = [int(part) for part in alerts.split(",")]
            except ValueError:
                raise CommandError("--alerts takes whole percentages separated by commas, such as 80,100") from None
        found = {team.slug: team for team in Team.objects.filter(slug__in=slugs)}
        missing = sorted(set(slugs) - set(found))
        if missing:
            raise CommandError(
                f"No team called {', '.join(missing)}; teams: {', '.join(Team.objects.values_list('slug', flat=True))}"
            )
        actor = system_user()
        for slug in slugs:
            try:
                team = actions.update_team_settings(
                    actor=actor, team=found[slug], monthly_budget=amount, budget_mode=mode, alert_thresholds=thresholds,
                    source=ChangeSource.SYSTEM,
                )  # fmt: skip
            except actions.ActionError as exc:
                raise CommandError(f"{slug}: {exc}") from None
            self.stdout.write(
                f"{slug}: budget {team.monthly_budget} USD a month, {team.budget_mode}, alerts at {team.budget_alert_thresholds} %"
            )
