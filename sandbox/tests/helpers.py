"""Helpers shared by the terraform-driven sandbox tests: applying a test stack or a shipped
pattern, reading plan JSON, and the checks every story repeats (no changes, a failing plan).
"""

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import yaml

from provisioning.terraform.workspace import BACKEND_CONFIG, LocalState, WorkspaceSpec, write_workspace

from ..platform_keys import ALARM_KEY_ALIAS, ensure_sandbox_platform_keys
from .conftest import Terraform

PATTERNS_DIR = Path(__file__).resolve().parents[2] / "patterns"


# -- plan JSON ---------------------------------------------------------------------------------------


def resource(plan: dict, address: str) -> dict:
    """A resource of the root module's planned values."""
    return next(r for r in plan["planned_values"]["root_module"]["resources"] if r["address"] == address)


def planned(plan: dict, address: str) -> dict:
    """The planned values of a resource in any module."""

    def walk(module: dict):
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    return next(r for r in walk(plan["planned_values"]["root_module"]) if r["address"] == address)["values"]


def change(plan: dict, address: str) -> dict:
    return next(c for c in plan["resource_changes"] if c["address"] == address)["change"]


def actions(plan: dict) -> dict[str, list[str]]:
    """Address -> actions of every resource the plan changes."""
    return {
        c["address"]: c["change"]["actions"] for c in plan["resource_changes"] if c["change"]["actions"] != ["no-op"]
    }


def tags_of(tag_list: list[dict]) -> dict[str, str]:
    """An AWS ``[{"Key": ..., "Value": ...}]`` tag list as a dict."""
    return {t["Key"]: t["Value"] for t in tag_list}


# -- terraform runs ----------------------------------------------------------------------------------


def no_changes(tf: Terraform) -> bool:
    """Assert that a plan shows no changes (``-detailed-exitcode`` 0)."""
    result = tf.run("plan", "-input=false", "-detailed-exitcode", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return True


def folded_output(result: subprocess.CompletedProcess) -> str:
    """stdout and stderr of a terraform run with white space folded (diagnostics wrap lines)."""
    return " ".join((result.stdout + result.stderr).split())


def failing_plan(tf: Terraform) -> str:
    """Plan, expecting terraform to fail with diagnostics (never a traceback); the folded output."""
    result = tf.run("plan", "-input=false", check=False)
    output = folded_output(result)
    assert result.returncode == 1, output
    assert "Traceback" not in output
    return output


def init_config(workdir: Path, terraform_env: dict[str, str], main_tf: str) -> Terraform:
    """Write ``main_tf`` into ``workdir`` and run ``terraform init`` there."""
    (workdir / "main.tf").write_text(main_tf)
    tf = Terraform(workdir, terraform_env)
    tf.run("init", "-input=false")
    return tf


def apply_stack(tmp_path_factory, terraform_env: dict[str, str], endpoint: str, config_dir: Path, **variables):
    """A copy of ``config_dir/main.tf``, planned and applied with ``endpoint`` and ``variables``:
    the namespace of a test story (tf, the first plan, outputs, endpoint, variables)."""
    workdir = tmp_path_factory.mktemp(config_dir.name)
    shutil.copy(config_dir / "main.tf", workdir)
    tf = Terraform(workdir, terraform_env)
    tf.write_vars(endpoint=endpoint, **variables)
    tf.run("init", "-input=false")
    plan = tf.plan_json()
    tf.apply_saved_plan()
    return SimpleNamespace(tf=tf, plan=plan, outputs=tf.outputs(), endpoint=endpoint, vars=dict(variables))


# -- shipped patterns --------------------------------------------------------------------------------


def pattern_workspace(
    tmp_path: Path,
    terraform_env: dict[str, str],
    endpoint: str,
    slug: str,
    name: str,
    tier: str,
    tags: dict,
    **parameters,
) -> tuple[Terraform, WorkspaceSpec, dict]:
    """The portal's root module for ``patterns/<slug>`` (variables: name, tier, tags and each
    parameter's default from pattern.yaml, or the value given; ``tags`` also as default_tags), initialised."""
    folder = PATTERNS_DIR / slug
    meta = yaml.safe_load((folder / "pattern.yaml").read_text())
    defaults = {key: p["default"] for key, p in meta["parameters"]["properties"].items() if "default" in p}
    module_files = {
        p.relative_to(folder / "terraform").as_posix(): p.read_text()
        for p in sorted((folder / "terraform").glob("*.tf"))
    }
    spec = WorkspaceSpec(
        module_files=module_files,
        variables={**defaults, **parameters, "name": name, "tier": tier, "tags": tags},
        region=defaults.get("region", "eu-west-1"),
        default_tags=tags,
        state=LocalState(tmp_path / "state" / "terraform.tfstate"),
        sandbox_endpoint=endpoint,
    )
    if any(ALARM_KEY_ALIAS in text for text in module_files.values()):
        ensure_sandbox_platform_keys(endpoint, spec.region)  # as the portal does before a run
    workdir = tmp_path / "workspace"
    write_workspace(workdir, spec)
    tf = Terraform(workdir, terraform_env)
    tf.run("init", "-input=false", f"-backend-config={BACKEND_CONFIG}")
    return tf, spec, defaults
