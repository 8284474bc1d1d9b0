"""Policies under test: point the engine at a writable copy of the policy folder."""

from __future__ import annotations

import multiprocessing
import shutil
from io import StringIO
from pathlib import Path

from governance import policy
from governance.policy import POLICY_DIR


def point_policies_at(monkeypatch, root: Path) -> None:
    """Every entry point (loader, policy tests, cache, evaluation) reads the policies from `root`."""
    monkeypatch.setattr(policy, "POLICY_DIR", root)


def copy_policies(destination: Path) -> Path:
    """A writable copy of governance/policies, laid out like the real one (governance/policies/...)."""
    root = destination / "governance" / "policies"
    shutil.copytree(POLICY_DIR, root)
    return root


def in_a_child_process(function, *args):
    """`function(*args)` in a forked process (monkeypatches included). The Rego engine (rego-cpp, through regopy)
    keeps memory for every distinct input it has evaluated, 20 to 65 MB per sandbox plan and never returned, even
    with a new Interpreter: one run of the policy test cases holds 3 GB, which the test process would keep to the
    end of the suite (workers recycle their children for the same reason: CELERY_WORKER_MAX_TASKS_PER_CHILD)."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(function, args)


def check_policies() -> tuple[str, str, str]:
    """`manage.py check_policies`: (the error it stopped with or "", its output, its error output)."""
    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    try:
        call_command("check_policies", stdout=out, stderr=err)
    except CommandError as exc:
        return str(exc), out.getvalue(), err.getvalue()
    return "", out.getvalue(), err.getvalue()
