"""Production roles on PostgreSQL: the runtime role cannot rewrite the audit log, Terraform's role reaches only state."""

import subprocess
from types import SimpleNamespace

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from provisioning.database_roles import AUDIT_TABLE, Roles, connect, tear_down
from provisioning.runtime import state_config
from provisioning.terraform.workspace import backend_config

pytestmark = pytest.mark.django_db

INSERT = (
    f"INSERT INTO {AUDIT_TABLE} (created_at, actor_name, action, message, data) "
    "VALUES (now(), 'system', 'run.started', 'Run #1 started.', '{}')"
)


@pytest.fixture
def roles():
    name = connection.settings_dict["NAME"][:40]
    roles = Roles(runtime=f"{name}_app", state=f"{name}_tfstate", state_database=f"{name}_tfstate")
    call_command("setup_database_roles", runtime_role=roles.runtime, state_role=roles.state,
                 state_database=roles.state_database)  # fmt: skip
    yield roles
    tear_down(connection.settings_dict, roles)


def as_role(role: str, dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname or connection.settings_dict["NAME"], user=role,
        host=connection.settings_dict.get("HOST") or "127.0.0.1", port=connection.settings_dict.get("PORT") or 5432,
    )  # fmt: skip


def refused(db: psycopg.Connection, statement: str) -> str:
    with pytest.raises(psycopg.Error) as caught:
        db.execute(statement)
    db.rollback()
    return str(caught.value)


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {AUDIT_TABLE} SET message = 'nothing happened'",
        f"DELETE FROM {AUDIT_TABLE}",
        f"TRUNCATE {AUDIT_TABLE}",
        f"TRUNCATE {AUDIT_TABLE} CASCADE",
        f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER audit_append_only",
        f"DROP TRIGGER audit_append_only ON {AUDIT_TABLE}",
        f"DROP TABLE {AUDIT_TABLE} CASCADE",
        "CREATE TABLE public.anything (id int)",
    ],
)
def test_the_runtime_role_cannot_rewrite_the_audit_log_or_change_the_schema(roles, statement):
    with as_role(roles.runtime) as db:
        reason = refused(db, statement)
    assert "permission denied" in reason or "must be owner" in reason


def test_the_runtime_role_reads_writes_records_and_adds_events(roles):
    with as_role(roles.runtime) as db:
        db.execute(INSERT)
        db.execute("UPDATE governance_team SET name = name")
        assert db.execute(f"SELECT count(*) FROM {AUDIT_TABLE}").fetchone()[0] >= 1
        db.rollback()  # the test database keeps no event


def test_the_state_role_cannot_connect_to_the_portals_database(roles):
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        as_role(roles.state).close()


def test_terraform_keeps_state_with_the_state_role_in_its_own_database(roles, tmp_path, settings):
    # given the portal configured with the state role
    settings.TERRAFORM_STATE_DATABASE_URL = (
        f"postgres://{roles.state}@{connection.settings_dict.get('HOST') or '127.0.0.1'}:"
        f"{connection.settings_dict.get('PORT') or 5432}/{roles.state_database}"
    )
    state = state_config(SimpleNamespace(state_key="env-1"))
    assert roles.state in state.conn_str and connection.settings_dict["NAME"] + "?" not in state.conn_str
    (tmp_path / "main.tf").write_text('terraform {\n  backend "pg" {}\n}\noutput "x" {\n  value = 1\n}\n')
    (tmp_path / "backend.tfbackend").write_text(backend_config(state))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1"}

    # when terraform initialises and applies
    for command in (["init", "-input=false", "-backend-config=backend.tfbackend"], ["workspace", "new", "env-1"],
                    ["apply", "-auto-approve", "-input=false"]):  # fmt: skip
        result = subprocess.run([settings.TERRAFORM_BIN, *command], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    # then the state is in the state database, written by the state role
    with connect(connection.settings_dict, roles.state_database) as db:
        assert db.execute("SELECT name FROM terraform_state.states").fetchall() == [("env-1",)]
