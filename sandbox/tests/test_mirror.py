"""The filesystem mirror and CLI config that make Terraform install the sandbox provider."""

import os
import subprocess
import sys

from sandbox.aws_provider import PROVIDER_VERSION
from sandbox.mirror import REPO_ROOT, build_mirror, provider_executable, write_cli_config


def test_build_mirror_writes_an_executable_trampoline_in_the_unpacked_layout(tmp_path):
    mirror = build_mirror(tmp_path / "mirror")

    exe = provider_executable(mirror)
    assert exe.relative_to(mirror).parts[:4] == ("registry.terraform.io", "hashicorp", "aws", PROVIDER_VERSION)
    assert exe.name == f"terraform-provider-aws_v{PROVIDER_VERSION}"
    assert os.access(exe, os.X_OK)
    text = exe.read_text()
    assert text.startswith(f"#!{sys.executable}\n")
    assert repr(str(REPO_ROOT)) in text
    assert "SANDBOX" in text


def test_build_mirror_is_idempotent(tmp_path):
    exe = provider_executable(build_mirror(tmp_path))
    before = exe.stat().st_mtime_ns

    build_mirror(tmp_path)

    assert exe.stat().st_mtime_ns == before


def test_cli_config_installs_only_hashicorp_aws_from_the_mirror(tmp_path):
    config = write_cli_config(tmp_path / "tf.rc", tmp_path / "mirror", tmp_path / "cache").read_text()

    assert f'path    = "{tmp_path / "mirror"}"' in config
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in config
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in config
    assert f'plugin_cache_dir = "{tmp_path / "cache"}"' in config
    assert (tmp_path / "cache").is_dir()


def test_python_m_sandbox_mirror_builds_and_prints_the_cli_config(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.mirror", str(tmp_path / "m"), "--cli-config", str(tmp_path / "rc")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert provider_executable(tmp_path / "m").exists()
    assert f"export TF_CLI_CONFIG_FILE={tmp_path / 'rc'}" in result.stdout
