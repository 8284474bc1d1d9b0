"""PostgreSQL roles for production (docs/production.md): run by the owner after every `migrate`.

- the owner (the role `migrate` runs as) owns every table, the audit log's triggers included;
- the runtime role (web, workers, beat) reads and writes records but has no DDL, and on the audit log
  only SELECT and INSERT: it can neither rewrite nor truncate events, nor drop or disable the triggers
  (only a table's owner may);
- the state role owns only the Terraform state database: the password Terraform and its provider
  plugins receive cannot even connect to the portal's database.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

AUDIT_TABLE = "governance_auditevent"


@dataclass(frozen=True)
class Roles:
    runtime: str
    state: str
    state_database: str
    runtime_password: str = ""
    state_password: str = ""


def connect(settings_dict: dict, dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname or settings_dict["NAME"],
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,  # CREATE DATABASE cannot run in a transaction
    )


def _ensure_role(db: psycopg.Connection, name: str, password: str) -> None:
    if db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone() is None:
        db.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(sql.Identifier(name)))
    if password:
        db.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))


def set_up(settings_dict: dict, roles: Roles) -> list[str]:
    """Create or update the roles and their rights (idempotent); returns what it did, for the operator."""
    done = []
    with connect(settings_dict) as db:
        database = settings_dict["NAME"]
        owner = db.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE]).fetchone()
        if owner is None:
            raise ValueError(f"{AUDIT_TABLE} does not exist in {database}: run `manage.py migrate` first.")
        owner = owner[0]
        if owner in (roles.runtime, roles.state) or roles.runtime == roles.state:
            raise ValueError("The owner, the runtime role and the state role must be three different roles.")
        ident = sql.Identifier
        runtime, state = ident(roles.runtime), ident(roles.state)
        _ensure_role(db, roles.runtime, roles.runtime_password)
        _ensure_role(db, roles.state, roles.state_password)
        for statement in (
            sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(database)),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(database), runtime),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(runtime),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(runtime),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(runtime),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
                ident(AUDIT_TABLE), runtime
            ),
            # Tables a later migration adds are usable at once; re-running this command narrows the audit log again.
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(ident(owner), runtime),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(ident(owner), runtime),
        ):
            db.execute(statement)
        done.append(f"{roles.runtime}: reads and writes {database}; on {AUDIT_TABLE} only SELECT and INSERT; no DDL.")
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [roles.state_database]).fetchone()
        if exists is None:
            db.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(ident(roles.state_database), state))
        else:
            db.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(roles.state_database), state))
        db.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident(roles.state_database)))
        done.append(f"{roles.state}: owns {roles.state_database} (Terraform state) and cannot connect to {database}.")
    return done


def tear_down(settings_dict: dict, roles: Roles) -> None:
    """Remove the roles and the state database (tests)."""
    with connect(settings_dict) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(roles.state_database)))
        for name in (roles.runtime, roles.state):
            if db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone():
                db.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
                db.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
