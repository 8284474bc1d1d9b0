"""On the embedded SQLite database two transactions that read then write at once both succeed.

Two reviewers deciding on one change at the same moment used to get "database is locked" (a 500,
and a lost decision): each read first, then both tried to upgrade to a write lock.
"""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = r"""
import threading, time
import django
django.setup()
from django.db import connection, transaction
from governance.audit import record
from governance.models import AuditEvent

barrier, failures = threading.Barrier(2), []

def decide(name):
    try:
        with transaction.atomic():
            AuditEvent.objects.count()          # read, as decide_change reads the change first
            try:
                barrier.wait(2)                  # both hold their transaction open here
            except threading.BrokenBarrierError:
                pass                             # IMMEDIATE: the other waits for our lock
            time.sleep(0.2)
            record("approval.given", message=f"{name} approved.")
    except Exception as exc:
        failures.append(f"{name}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=decide, args=(name,)) for name in ("nina", "nadia")]
[t.start() for t in threads]
[t.join() for t in threads]
print("failures:", failures)
print("events:", AuditEvent.objects.count())
"""


def test_two_writers_at_once_on_sqlite_both_succeed(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "idp_portal.settings", "IDP_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True,
                   timeout=300)  # fmt: skip

    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "failures: []" in result.stdout and "events: 2" in result.stdout, result.stdout
