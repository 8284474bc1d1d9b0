"""Every file the portal writes lives under IDP_VAR_DIR: the process files pass no path of their own."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_process_files_name_no_path_under_var():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = [*procfile().values(), *(service.get("command", "") for service in compose["services"].values())]
    assert [command for command in commands if re.search(r"(^|[\s=/])var/", command)] == []


@pytest.mark.timeout(120)
def test_beat_from_the_procfile_keeps_its_schedule_in_idp_var_dir(tmp_path):
    # given an installation whose files live elsewhere than the checkout
    var = tmp_path / "elsewhere"
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "IDP_PRODUCTION"}
    }
    env.update(DJANGO_SETTINGS_MODULE="idp_portal.settings", IDP_VAR_DIR=str(var), CELERY_QUEUE="idp-beat-path-test")
    command = shlex.split(procfile()["beat"].replace(".venv/bin/", str(Path(sys.executable).parent) + "/"))

    # when beat starts as honcho would start it
    beat = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(var.glob("celerybeat-schedule*")) and beat.poll() is None:
            time.sleep(0.5)
        # then it runs, and its schedule is in IDP_VAR_DIR
        assert beat.poll() is None, beat.stdout.read()
        assert list(var.glob("celerybeat-schedule*"))
    finally:
        beat.terminate()
        beat.wait(30)
