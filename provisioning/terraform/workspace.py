"""Write the working folder of one Terraform run.

User input goes only into `terraform.tfvars.json`, which Terraform reads as
data and never evaluates as a template; the generated configuration
(`main.tf.json`) only references variables. Secrets of the state backend go
into a `-backend-config` file and the environment, never on a command line.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MODULE_DIR = "module"
TFVARS = "terraform.tfvars.json"
BACKEND_CONFIG = "backend.tfbackend"
# A module that declares `variable "decommissioning"` keeps resources protected from deletion (a production
# database) unless it is true; the driver sets it, from this file, only to lift that protection before the
# reviewed decommission is applied (see executor.lift_deletion_protection).
DECOMMISSIONING_VARIABLE = "decommissioning"
DECOMMISSIONING_TFVARS = "decommissioning.tfvars.json"
VARIABLE_RE = re.compile(r'^\s*variable\s+"([A-Za-z0-9_-]+)"\s*\{', re.MULTILINE)
OUTPUT_RE = re.compile(r'^\s*output\s+"([A-Za-z0-9_-]+)"\s*\{', re.MULTILINE)
SENSITIVE_RE = re.compile(r"(^|[\s{])sensitive\s*=\s*true\b", re.MULTILINE)
# Services the sandbox provider (and a real provider pointed at a local endpoint) routes to the endpoint.
SANDBOX_SERVICES = (
    "ec2", "s3", "rds", "redshift", "kms", "logs", "sqs", "sns", "elbv2", "wafv2", "iam", "sts", "acm", "route53",
    "cloudwatch", "events", "sfn", "sagemaker",
)  # fmt: skip


@dataclass(frozen=True)
class LocalState:
    path: Path


@dataclass(frozen=True)
class PostgresState:
    """Terraform's pg backend; the password travels in PGPASSWORD, not in the file."""

    conn_str: str
    schema_name: str
    workspace: str
    password: str = ""


@dataclass
class WorkspaceSpec:
    module_files: dict[str, str]
    variables: dict  # name, tier, tags and the pattern's parameters
    region: str
    default_tags: dict[str, str]
    state: LocalState | PostgresState
    sandbox_endpoint: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Pinned so `terraform init` picks the version line the patterns (and the sandbox) are written for.
    aws_provider_version: str = "~> 5.80"


def module_outputs(module_files: dict[str, str]) -> dict[str, bool]:
    """{output name: sensitive?} declared by the module (terraform fmt layout)."""
    outputs = {}
    for path, text in module_files.items():
        if path.endswith(".tf"):
            for match in OUTPUT_RE.finditer(text):
                outputs[match.group(1)] = bool(SENSITIVE_RE.search(_block_body(text, match.end())))
    return outputs


def module_variables(module_files: dict[str, str]) -> set[str]:
    """Names of the variables the module declares (terraform fmt layout)."""
    return {
        m.group(1) for path, text in module_files.items() if path.endswith(".tf") for m in VARIABLE_RE.finditer(text)
    }


def _block_body(text: str, start: int) -> str:
    """Text of the block whose opening brace ends at `start`, up to its matching closing brace."""
    depth, quoted, index = 1, False, start
    while index < len(text) and depth:
        char = text[index]
        if char == '"' and text[index - 1] != "\\":
            quoted = not quoted
        elif not quoted and char == "{":
            depth += 1
        elif not quoted and char == "}":
            depth -= 1
        index += 1
    return text[start : index - 1]


def root_module(spec: WorkspaceSpec) -> dict:
    variable_names = sorted(spec.variables)
    provider: dict = {
        "region": "${var.idp_region}",
        "default_tags": [{"tags": "${var.idp_default_tags}"}],
    }
    if spec.sandbox_endpoint:
        provider.update(
            {
                "access_key": "sandbox",
                "secret_key": "sandbox",
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": "true",
                "s3_use_path_style": True,
                "endpoints": [dict.fromkeys(SANDBOX_SERVICES, "${var.idp_aws_endpoint}")],
            }
        )
    backend = {"local": {}} if isinstance(spec.state, LocalState) else {"pg": {}}
    variables = {name: {} for name in variable_names}
    variables["idp_region"] = {"type": "string"}
    variables["idp_default_tags"] = {"type": "map(string)"}
    if spec.sandbox_endpoint:
        variables["idp_aws_endpoint"] = {"type": "string"}
    arguments = {n: f"${{var.{n}}}" for n in variable_names}
    if DECOMMISSIONING_VARIABLE in module_variables(spec.module_files):
        variables["idp_decommissioning"] = {"type": "bool", "default": False}
        arguments[DECOMMISSIONING_VARIABLE] = "${var.idp_decommissioning}"
    root = {
        "terraform": {
            "backend": backend,
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": spec.aws_provider_version}},
        },
        "variable": variables,
        "provider": {"aws": [provider]},
        "module": {"pattern": {"source": f"./{MODULE_DIR}", **arguments}},
    }
    outputs = module_outputs(spec.module_files)
    if outputs:  # an empty "output" object is a syntax error in Terraform JSON
        root["output"] = {
            name: {"value": f"${{module.pattern.{name}}}", "sensitive": sensitive}
            for name, sensitive in outputs.items()
        }
    return root


def tfvars(spec: WorkspaceSpec) -> dict:
    values = dict(spec.variables)
    values["idp_region"] = spec.region
    values["idp_default_tags"] = spec.default_tags
    if spec.sandbox_endpoint:
        values["idp_aws_endpoint"] = spec.sandbox_endpoint
    return values


def backend_config(state: LocalState | PostgresState) -> str:
    """Terraform `-backend-config` file body (HCL attribute syntax, values escaped)."""
    if isinstance(state, LocalState):
        return f"path = {_hcl_string(str(state.path))}\n"
    return f"conn_str = {_hcl_string(state.conn_str)}\nschema_name = {_hcl_string(state.schema_name)}\n"


def _hcl_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")
    if any(ch in escaped for ch in "\n\r"):
        raise ValueError("backend settings cannot contain line breaks")
    return f'"{escaped}"'


def write_workspace(path: Path, spec: WorkspaceSpec) -> None:
    path.mkdir(parents=True, exist_ok=True)
    module_dir = path / MODULE_DIR
    for relative, text in spec.module_files.items():
        target = (module_dir / relative).resolve()
        if module_dir.resolve() not in target.parents:
            raise ValueError(f"module file {relative!r} would be written outside the workspace")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (path / "main.tf.json").write_text(json.dumps(root_module(spec), indent=2, sort_keys=True))
    (path / TFVARS).write_text(json.dumps(tfvars(spec), indent=2, sort_keys=True))
    if DECOMMISSIONING_VARIABLE in module_variables(spec.module_files):
        (path / DECOMMISSIONING_TFVARS).write_text(json.dumps({"idp_decommissioning": True}))
    if isinstance(spec.state, LocalState):
        spec.state.path.parent.mkdir(parents=True, exist_ok=True)
    backend_file = path / BACKEND_CONFIG
    fd = os.open(backend_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(backend_config(spec.state))


def environment(spec: WorkspaceSpec, *, cli_config_file: Path, plugin_cache_dir: Path) -> dict[str, str]:
    """Process environment for terraform: automation mode, no prompts, backend secrets."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(Path.home())),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": str(cli_config_file),
        "TF_PLUGIN_CACHE_DIR": str(plugin_cache_dir),
        **spec.extra_env,
    }
    if isinstance(spec.state, PostgresState) and spec.state.password:
        env["PGPASSWORD"] = spec.state.password
    return env
