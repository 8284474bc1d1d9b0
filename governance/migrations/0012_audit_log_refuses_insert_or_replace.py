"""SQLite: refuse `INSERT OR REPLACE` / `REPLACE INTO` on the audit log.

REPLACE deletes the old row without firing DELETE triggers (recursive_triggers is off), so the
triggers of 0004 let it rewrite an event: an INSERT that reuses an existing id is now refused.
`INSERT ... ON CONFLICT DO UPDATE` fires the UPDATE trigger of 0004.
On PostgreSQL the runtime role holds no UPDATE, DELETE or TRUNCATE on the table and does not own
it (`manage.py setup_database_roles`, docs/production.md), so it can neither rewrite nor drop the triggers.
"""

from django.db import migrations

TABLE = "governance_auditevent"

SQLITE_REFUSE_REPLACE = (
    f"CREATE TRIGGER audit_append_only_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: REPLACE refused'); END;"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_REFUSE_REPLACE)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_append_only_replace;")


class Migration(migrations.Migration):
    dependencies = [("governance", "0011_slack_identities")]

    operations = [migrations.RunPython(install, remove)]
