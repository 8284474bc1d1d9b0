"""Two environments planned for the first time at once: Terraform's pg backend creates a workspace under one
database-wide lock it only tries to take, so one plan used to fail at once ("Already locked for workspace
creation"; 3 of 50 changes submitted together failed). The driver now waits and plans again."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from provisioning.runtime import state_config
from provisioning.terraform.cli import TerraformCLI
from provisioning.terraform.workspace import BACKEND_CONFIG, backend_config

pytestmark = pytest.mark.django_db(transaction=True)


class Environment:
    def __init__(self, key):
        self.state_key = key


def test_a_first_plan_waits_while_another_workspace_is_being_created(tmp_path, settings):
    settings.TERRAFORM_STATE_BACKEND = "pg"
    state = state_config(Environment("env-lock-test"))
    (tmp_path / "main.tf").write_text('terraform {\n  backend "pg" {}\n}\noutput "x" {\n  value = 1\n}\n')
    (tmp_path / BACKEND_CONFIG).write_text(backend_config(state))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
           "PGPASSWORD": state.password}  # fmt: skip
    cli = TerraformCLI(settings.TERRAFORM_BIN, tmp_path, env, lock_timeout="30s")
    output = []
    cli.init(output.append, BACKEND_CONFIG)
    cli.use_workspace(f"env-lock-test-{time.monotonic_ns()}")

    # given another terraform holds the workspace-creation lock for three seconds
    holder = psycopg.connect(dbname=connection.settings_dict["NAME"], user=connection.settings_dict.get("USER") or
                             "postgres", host="127.0.0.1", autocommit=True)  # fmt: skip
    holder.execute("SELECT pg_advisory_lock(-1)")
    releaser = threading.Timer(3, lambda: holder.execute("SELECT pg_advisory_unlock(-1)"))
    releaser.start()
    try:
        # when the first plan of a new environment runs meanwhile
        result = cli.plan(output.append, "tfplan")
    finally:
        releaser.join()
        holder.close()

    # then it waited, said why, and planned
    assert result.exit_code in (0, 2)
    assert "Another run is creating its state workspace" in "".join(output)
