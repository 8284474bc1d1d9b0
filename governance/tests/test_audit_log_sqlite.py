"""On the embedded SQLite database the audit log refuses every way to rewrite an event, REPLACE included."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

INSERT = (
    "INSERT INTO governance_auditevent (id, created_at, actor_name, action, message, data) "
    "VALUES (1, '2026-01-01 00:00:00', 'alice', 'change.submitted', 'alice requested checkout-dev.', '{}')"
)
REWRITES = [
    "UPDATE governance_auditevent SET message = 'nothing happened'",
    "DELETE FROM governance_auditevent",
    INSERT.replace("INSERT", "INSERT OR REPLACE").replace("alice requested", "nobody requested"),
    INSERT.replace("INSERT", "REPLACE").replace("alice requested", "nobody requested"),
    INSERT.replace("alice requested", "nobody requested") + " ON CONFLICT(id) DO UPDATE SET message = excluded.message",
]


@pytest.fixture(scope="module")
def sqlite_log(tmp_path_factory) -> Path:
    """A fresh embedded database, migrated by the portal itself, holding one event."""
    folder = tmp_path_factory.mktemp("embedded")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "idp_portal.settings", "IDP_VAR_DIR": str(folder),
           "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True,
                   timeout=300)  # fmt: skip
    with sqlite3.connect(folder / "db.sqlite3") as db:
        db.execute(INSERT)
    return folder / "db.sqlite3"


@pytest.mark.parametrize("sql", REWRITES, ids=["update", "delete", "insert-or-replace", "replace", "upsert"])
def test_every_rewrite_of_an_event_is_refused(sqlite_log, sql):
    db = sqlite3.connect(sqlite_log)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
        db.rollback()
        assert db.execute("SELECT id, message FROM governance_auditevent").fetchall() == [
            (1, "alice requested checkout-dev.")
        ]
    finally:
        db.close()


def test_new_events_may_still_be_added(sqlite_log):
    with sqlite3.connect(sqlite_log) as db:
        db.execute(INSERT.replace("(1,", "(NULL,").replace("alice requested", "bob requested"))
        assert db.execute("SELECT count(*) FROM governance_auditevent").fetchone() == (2,)
