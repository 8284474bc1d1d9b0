"""A short slice of `make bench` in the suite: the benchmark itself keeps working, and under a little load every
page answers 200 and a few changes at once converge once each. Speed is reported by `make bench`, not asserted."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_a_short_bench_run_serves_every_page_and_converges_every_change(tmp_path):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/idp_portal").rstrip("/")
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}_slice",  # the bench adds _bench: its own database, never the suite's
        "IDP_VAR_DIR": str(tmp_path / "var"),
        "BENCH_SECONDS": "4",
        "BENCH_USERS": "4",
        "BENCH_CHANGES": "2",
        "BENCH_WORKERS": "2",
        "BENCH_CONVERGE_TIMEOUT": "300",
    }
    done = subprocess.run([sys.executable, "-m", "benchmarks", "pages", "converge"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=540)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    pages = re.findall(r"requests/s \| p99 \| failures\s+(\d+) \| (\d+) ms \| (\d+)", done.stdout)
    assert len(pages) == 4, done.stdout
    assert all(int(rate) > 0 and failures == "0" for rate, _, failures in pages), done.stdout
    assert re.search(r"2 changes at once, 2 workers: applied\s+2/2", done.stdout), done.stdout
    assert re.search(r"duplicated instances\s+0 / 0 / 0", done.stdout), done.stdout
