"""The dependency graph of the README's code map holds: import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("idp_portal", "catalogue", "governance", "provisioning", "costs", "sandbox")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_governance_importing_provisioning_breaks_the_build(tmp_path):
    # given a copy of the code where governance reaches up into provisioning
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    gates = tmp_path / "governance" / "gates.py"
    gates.write_text(gates.read_text() + "\nfrom provisioning.models import Run  # noqa\n")

    # when the contracts are checked, then the upward import is named
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "governance.gates -> provisioning.models" in result.stdout
