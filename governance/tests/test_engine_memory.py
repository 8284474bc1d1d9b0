"""The Rego engine leaks unless its library loads before libstdc++ (idp_portal/rego_engine.py)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from idp_portal import rego_engine
from idp_portal.components import wait_for

# Evaluates six web application plans that differ in every name (as real environments do) after one warm-up
# evaluation, and prints how many MB the process grew by. `greenlet` stands for any C++ extension.
PROBE = """
import json, sys, uuid
if sys.argv[1] == "greenlet-first":
    import greenlet
import idp_portal
import greenlet
from governance import policy
raw = open("governance/policies/tests/fixtures/web-app-dev.json").read()
name = json.loads(raw)["request"]["name"]
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
policy.evaluate_stages(("params", "plan"), json.loads(raw))
before = rss_mb()
for _ in range(6):
    policy.evaluate_stages(("params", "plan"), json.loads(raw.replace(name, "e" + uuid.uuid4().hex[:8])))
print(rss_mb() - before)
"""


def growth_mb(order: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, order], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def test_the_portal_loads_the_engine_before_any_other_cpp_library():
    grown = growth_mb("engine-first")
    assert grown < 40, f"six distinct plans grew the process by {grown} MB"


def test_loaded_after_libstdcxx_the_engine_leaks_which_is_why_the_order_matters():
    grown = growth_mb("greenlet-first")
    assert grown > 100, f"only {grown} MB: regopy may have fixed the leak; idp_portal/rego_engine.py can then go"


def test_the_test_process_itself_loaded_the_engine_first():
    # pytest-django imports the settings (so idp_portal) before conftest.py imports Playwright and its greenlet.
    assert rego_engine.LOADED_BEFORE_LIBSTDCXX is True


def test_a_portal_started_in_the_wrong_order_warns_at_start(monkeypatch):
    from governance.checks import check_engine_load_order

    monkeypatch.setattr(rego_engine, "LOADED_BEFORE_LIBSTDCXX", False)
    [warning] = check_engine_load_order(None)
    assert warning.id == "governance.W001" and "leaks" in warning.msg and "idp_portal" in warning.hint


@pytest.mark.integration
def test_workers_started_as_the_process_files_start_them_load_the_engine_first(celery_worker_process):
    # The suite's worker runs `python -m idp_portal worker`, the command of the Procfile and the compose file.
    log = celery_worker_process.log_path.read_text()
    assert " ready." in log and "governance.W001" not in log


@pytest.mark.integration
def test_a_worker_started_with_the_plain_celery_script_warns_about_the_engine(worker_env, tmp_path):
    # Celery imports greenlet (installed here, beside Playwright) before it reads `-A idp_portal`.
    log_path = tmp_path / "worker.log"
    argv = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "idp_portal",
        "worker",
        "-l",
        "info",
        "-Q",
        "w001-probe",
        "-c",
        "1",
    ]
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(argv, env=worker_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: b" ready." in log_path.read_bytes(), 90, "the Celery worker to be ready")
        finally:
            worker.terminate()
            worker.wait(30)
    assert "governance.W001" in log_path.read_text()
