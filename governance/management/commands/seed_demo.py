from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from governance.choices import MembershipRole
from governance.models import Membership, Team

PASSWORD = "demo"
TEAMS = [
    {"slug": "payments", "name": "Payments", "cost_centre": "CC-1001", "monthly_budget": Decimal("5000")},
    {"slug": "analytics", "name": "Analytics", "cost_centre": "CC-2002", "monthly_budget": Decimal("8000")},
]
DEVELOPERS = [("alice", "payments", MembershipRole.LEAD), ("bob", "analytics", MembershipRole.LEAD)]
REVIEWERS = [("nina", "network"), ("sam", "security"), ("pat", "platform"), ("fiona", "finance")]
# Reviewers work the approval queue in Django admin too; what each sees is still restricted to their groups.
REVIEWER_ADMIN_PERMISSIONS = ["view_changerequest", "view_run", "view_approvalrequirement", "view_approval"]
# The platform group runs the portal: teams, budgets, the audit and security log. Not superusers.
PLATFORM_ADMIN_PERMISSIONS = ["view_environment", "view_auditevent", "view_team", "change_team", "add_team",
                              "view_membership", "add_membership", "change_membership", "delete_membership"]  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo teams and users (password 'demo'). Only in the embedded/demo setup."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo creates accounts with a known password and only runs in the embedded/demo setup "
                "(SQLite, or DEMO_MODE=1). Create real users with `createsuperuser` and Django admin instead."
            )
        with transaction.atomic():
            teams = {}
            for data in TEAMS:
                team, _ = Team.objects.update_or_create(slug=data["slug"], defaults=data)
                teams[team.slug] = team
            for username, team_slug, role in DEVELOPERS:
                user = self._user(username)
                Membership.objects.update_or_create(user=user, team=teams[team_slug], defaults={"role": role})
            for username, group_name in REVIEWERS:
                # Migration 0003 creates the reviewer groups; a database flushed since (tests) may lack them.
                group, _ = Group.objects.get_or_create(name=group_name)
                codenames = REVIEWER_ADMIN_PERMISSIONS + (
                    PLATFORM_ADMIN_PERMISSIONS if group_name == "platform" else []
                )
                group.permissions.add(*Permission.objects.filter(codename__in=codenames))
                user = self._user(username, staff=True)
                user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: alice (payments), bob (analytics), nina, sam, pat, fiona; password 'demo'."
            )
        )

    def _user(self, username: str, *, staff: bool = False) -> User:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com", "first_name": username.title()}
        )
        user.set_password(PASSWORD)
        user.is_staff, user.is_superuser = staff, False
        user.save()
        return user
