"""A database trigger makes the audit log append-only even for raw SQL and admin shell access."""

from django.db import migrations

TABLE = "governance_auditevent"


def install_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION governance_audit_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'The audit log is append-only: % refused', TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """,
            # No parameters: psycopg would otherwise read RAISE's % as a placeholder and refuse the SQL.
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION governance_audit_append_only();"
        )
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER audit_append_only_{op.lower()} BEFORE {op} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: {op} refused'); END;"
            )


def remove_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS governance_audit_append_only();")
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only_{op};")


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_reviewer_groups")]

    operations = [migrations.RunPython(install_trigger, remove_trigger)]
