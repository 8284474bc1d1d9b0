"""`manage.py setup_database_roles`: the runtime and Terraform-state roles of docs/production.md.

Run as the owner role (the one `migrate` uses), after every `migrate`. Passwords come from the
environment (IDP_RUNTIME_DB_PASSWORD, IDP_STATE_DB_PASSWORD), never from the command line.
"""

import os

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from provisioning.database_roles import Roles, set_up


class Command(BaseCommand):
    help = "Create or update the runtime role (no DDL, audit log append-only) and the Terraform state role."

    def add_arguments(self, parser):
        parser.add_argument("--runtime-role", default="idp_app")
        parser.add_argument("--state-role", default="idp_tfstate")
        parser.add_argument("--state-database", default="idp_tfstate")

    def handle(self, *args, runtime_role, state_role, state_database, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only; the embedded SQLite setup has none.")
        roles = Roles(
            runtime=runtime_role,
            state=state_role,
            state_database=state_database,
            runtime_password=os.environ.get("IDP_RUNTIME_DB_PASSWORD", ""),
            state_password=os.environ.get("IDP_STATE_DB_PASSWORD", ""),
        )
        try:
            for line in set_up(connection.settings_dict, roles):
                self.stdout.write(line)
        except (ValueError, psycopg.Error) as exc:
            raise CommandError(str(exc)) from exc
