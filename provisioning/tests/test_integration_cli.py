"""The seed's exact command, the whole way: `platform create app-environment --name=dev --size=small` in a
process of its own, against a live portal, a real worker, terraform and the sandbox cloud."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from governance import tokens
from governance.choices import TokenScope
from provisioning.choices import ChangeStatus, EnvironmentStatus
from provisioning.models import Environment
from provisioning.tests.test_cli import PLATFORM

pytestmark = pytest.mark.integration


def test_the_seed_command_builds_a_development_environment_and_streams_its_log(
    sandbox, aws, live_server, catalogue, alice, payments, tmp_path
):
    _, token = tokens.create_token(actor=alice, name="laptop", scope=TokenScope.WRITE, days=1)
    env = {**os.environ, "PLATFORM_URL": live_server.url, "PLATFORM_TOKEN": token, "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "COLUMNS": "200", "NO_COLOR": "1"}  # fmt: skip

    def platform(*args):
        return subprocess.run([PLATFORM, *args], env=env, capture_output=True, text=True, timeout=300)

    # when alice types the command she knows
    created = platform("create", "app-environment", "--name=dev", "--size=small")

    # then it waits for the change to be applied, showing each status and the Terraform log as it is written
    assert created.returncode == 0, created.stderr
    assert "plan" in created.stdout and "Apply complete!" in created.stdout
    statuses = [line for line in created.stderr.splitlines() if line.startswith("change #")]
    assert statuses[-1].endswith(": applied")
    environment = Environment.objects.get(team=payments, name="dev")
    assert environment.pattern_version.pattern.slug == "dev-environment"
    assert environment.status == EnvironmentStatus.ACTIVE
    assert environment.parameters["instance_type"] == "t3.micro"  # the small size

    # and the instance of the small size runs in the sandbox cloud
    instance_id = environment.outputs["instance_id"]
    reservation = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"][0]
    assert reservation["Instances"][0]["InstanceType"] == "t3.micro"

    # and `status` shows it running, as JSON for scripts
    status = json.loads(platform("status", "dev", "-o", "json").stdout)
    assert status["status"] == "active" and status["pattern"] == "dev-environment"

    # when she destroys it with its name typed
    destroyed = platform("destroy", "dev", "--confirm", "dev")
    assert destroyed.returncode == 0, destroyed.stderr
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DECOMMISSIONED
    assert environment.changes.latest("pk").status == ChangeStatus.APPLIED
    state = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] == "terminated"
