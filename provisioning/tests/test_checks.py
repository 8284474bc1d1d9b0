"""The portal refuses to start without a usable terraform binary."""

import os
import stat
import subprocess
import sys

import pytest

from provisioning.checks import check_terraform_binary


def test_a_missing_terraform_binary_is_a_startup_error(settings, tmp_path):
    settings.TERRAFORM_BIN = str(tmp_path / "no-terraform-here")

    errors = check_terraform_binary(None)

    assert [e.id for e in errors] == ["provisioning.E001"]
    assert "no-terraform-here" in errors[0].msg
    assert "TERRAFORM_BIN" in errors[0].hint


def test_a_terraform_that_is_too_old_is_a_startup_error(settings, tmp_path):
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\necho \'{"terraform_version": "0.12.31"}\'\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    settings.TERRAFORM_BIN = str(fake)

    errors = check_terraform_binary(None)

    assert [e.id for e in errors] == ["provisioning.E003"]
    assert "0.12.31" in errors[0].msg


def test_the_installed_terraform_passes(settings):
    assert check_terraform_binary(None) == []


@pytest.mark.integration
def test_a_worker_without_terraform_refuses_to_start(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "idp_portal", "worker", "-Q", "nothing", "-c", "1"],
        env={**os.environ, "TERRAFORM_BIN": str(tmp_path / "missing"), "IDP_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0
    assert "provisioning.E001" in done.stdout + done.stderr
