"""The suite's processes (pytest-xdist gw0, gw1…) each get their own Redis database, files and queue, and the
workers a process starts inherit its values unchanged (a worker on another Redis database would never get a task)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import json, os; from django.conf import settings; "
        "print(json.dumps([settings.REDIS_URL, str(settings.VAR_DIR), settings.CELERY_TASK_DEFAULT_QUEUE, "
        "dict(os.environ)]))")  # fmt: skip


def settings_seen(env: dict) -> tuple[str, str, str, dict]:
    code = f"import django; django.setup(); {SHOW}"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    return tuple(json.loads(result.stdout.strip().splitlines()[-1]))


def test_each_test_process_has_its_own_redis_database_files_and_queue_and_its_workers_share_them(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "IDP_TEST_SPLIT", "CELERY_QUEUE"}}
    base.update(DJANGO_SETTINGS_MODULE="idp_portal.test_settings", REDIS_URL="redis://127.0.0.1:6379/15",
                IDP_VAR_DIR=str(tmp_path / "var"))  # fmt: skip

    first = settings_seen({**base, "PYTEST_XDIST_WORKER": "gw0"})
    second = settings_seen({**base, "PYTEST_XDIST_WORKER": "gw1"})
    assert first[:2] == ("redis://127.0.0.1:6379/15", str(tmp_path / "var" / "gw0"))
    assert second[:2] == ("redis://127.0.0.1:6379/14", str(tmp_path / "var" / "gw1"))
    assert first[2] != second[2]

    # a worker started by the second process: its environment as handed down, the same values again
    worker = settings_seen(second[3])
    assert worker[:3] == second[:3]
