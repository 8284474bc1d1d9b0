"""Print a new personal access token for a user: for CI pipelines and scripts (`PLATFORM_TOKEN`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from governance import tokens
from governance.choices import TokenScope


class Command(BaseCommand):
    help = "Create a personal access token for USER and print it (it is not stored in clear and not shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        parser.add_argument("--days", type=int, default=90, help=f"validity, 1 to {tokens.MAX_DAYS} days (default 90)")
        parser.add_argument("--name", default="created with manage.py create_token")

    def handle(self, *args, username, scope, days, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active user {username!r}; create the user first (manage.py createsuperuser or admin)."
            )
        try:
            _, text = tokens.create_token(actor=user, name=name, scope=scope, days=days)
        except ValueError as exc:
            (errors,) = exc.args
            raise CommandError(" ".join(m for messages in errors.values() for m in messages)) from None
        self.stdout.write(text)
