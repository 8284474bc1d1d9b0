"""Policies under test: point the engine at a writable copy of the policy folder."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest

from governance import policy
from governance.policy import POLICY_DIR
from governance.policy_tests import run_policy_tests


def point_policies_at(monkeypatch, root: Path) -> None:
    """Every entry point (loader, policy tests, cache, evaluation) reads the policies from `root`."""
    monkeypatch.setattr(policy, "POLICY_DIR", root)


def copy_policies(destination: Path) -> Path:
    """A writable copy of governance/policies, laid out like the real one (governance/policies/...)."""
    root = destination / "governance" / "policies"
    shutil.copytree(POLICY_DIR, root)
    return root


@pytest.fixture(scope="session")
def shipped_policy_report():
    """The policy tests on the shipped policies, run once for the tests that read the report (~40 s a run)."""
    return run_policy_tests(POLICY_DIR)


def check_policies() -> tuple[str, str, str]:
    """`manage.py check_policies`: (the error it stopped with or "", its output, its error output)."""
    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    try:
        call_command("check_policies", stdout=out, stderr=err)
    except CommandError as exc:
        return str(exc), out.getvalue(), err.getvalue()
    return "", out.getvalue(), err.getvalue()
