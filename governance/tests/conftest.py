"""Policies under test: point the engine at a writable copy of the policy folder."""

from __future__ import annotations

import shutil
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
