"""The `platform` command as a user runs it: a real process against a live portal (Django's live server).

No worker here: changes stop at their plan (see test_integration_cli.py for the whole way on the sandbox).
"""

from __future__ import annotations

import json
import socket
import stat

from provisioning.models import ChangeRequest, Environment


def test_login_checks_the_token_and_keeps_it_owner_only(run_cli, live_server, tmp_path):
    result = run_cli("login", "--url", live_server.url, "--token", run_cli.token,
                     env_overrides={"PLATFORM_URL": "", "PLATFORM_TOKEN": ""})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Logged in" in result.stdout and "payments" in result.stdout
    [config_file] = (tmp_path / "config").rglob("config.json")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert json.loads(config_file.read_text())["token"] == run_cli.token

    # the file is used when the environment says nothing
    listed = run_cli("list", env_overrides={"PLATFORM_URL": "", "PLATFORM_TOKEN": ""})
    assert listed.returncode == 0, listed.stderr


def test_login_with_a_bad_token_is_refused_and_keeps_nothing(run_cli, live_server, tmp_path):
    result = run_cli("login", "--url", live_server.url, "--token", "idp_0123456789ab_nope")
    assert result.returncode == 1 and "Unknown token" in result.stderr
    assert not list((tmp_path / "config").rglob("config.json"))


def test_create_then_list_and_status(run_cli):
    created = run_cli("create", "dev-environment", "--name", "box", "--param", "volume_size_gb=30", "--no-wait",
                      "--output", "json")  # fmt: skip
    assert created.returncode == 0, created.stderr
    change = json.loads(created.stdout)
    assert (change["action"], change["status"], change["source"]) == ("create", "checking", "api")
    assert ChangeRequest.objects.get(pk=change["id"]).parameters["volume_size_gb"] == 30

    listed = run_cli("list")
    assert "box" in listed.stdout and "payments" in listed.stdout
    status = run_cli("status", f"#{change['id']}", "--output", "json")
    assert json.loads(status.stdout)["environment_name"] == "box"
    assert json.loads(run_cli("status", "payments/box", "--output", "json").stdout)["name"] == "box"


def test_a_policy_refusal_exits_1_with_the_reasons(run_cli):
    result = run_cli("create", "dev-environment", "--name", "shop-prod", "--no-wait")
    assert result.returncode == 1
    assert "params-naming name: A dev environment must not be named like production ('prod')." in result.stderr
    assert "fix: Remove 'prod' from the name." in result.stderr


def test_a_bad_value_names_the_field(run_cli):
    result = run_cli("create", "dev-environment", "--name", "box", "--param", "volume_size_gb=5000", "--no-wait")
    assert result.returncode == 1
    assert "volume_size_gb: Enter a value of at most 100." in result.stderr
    assert not Environment.objects.exists()


def test_the_same_create_twice_gets_a_clear_answer(run_cli):
    assert run_cli("create", "dev-environment", "--name", "box", "--no-wait").returncode == 0
    again = run_cli("create", "dev-environment", "--name", "box", "--no-wait")
    assert again.returncode == 1
    assert "Your team already has an environment called 'box'" in again.stderr
    assert Environment.objects.count() == 1


def test_usage_errors_exit_2(run_cli):
    result = run_cli("create", "dev-environment", "--name", "box", "--param", "no-equals-sign")
    assert result.returncode == 2 and "write key=value" in result.stderr
    assert run_cli("create", "dev-environment").returncode == 2  # --name missing
    assert run_cli("list", env_overrides={"PLATFORM_URL": "", "PLATFORM_TOKEN": ""}).returncode == 2


def test_an_unreachable_server_exits_3(run_cli):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run_cli("list", env_overrides={"PLATFORM_URL": closed})
    assert result.returncode == 3 and "did not answer" in result.stderr


def test_destroy_needs_the_typed_name(run_cli, alice, payments):
    created = json.loads(run_cli("create", "dev-environment", "--name", "box", "--no-wait", "-o", "json").stdout)
    Environment.objects.filter(pk=created["environment"]).update(status="active")

    no_tty = run_cli("destroy", "box", "--no-wait")
    assert no_tty.returncode == 1 and "Confirm with --confirm <environment name>." in no_tty.stderr
    wrong = run_cli("destroy", "box", "--confirm", "nope", "--no-wait")
    assert wrong.returncode == 1 and "Type the environment's name, box" in wrong.stderr
    assert not ChangeRequest.objects.filter(action="destroy").exists()


def test_catalogue_and_costs_as_json(run_cli):
    patterns = json.loads(run_cli("catalogue", "-o", "json").stdout)
    assert "dev-environment" in {p["slug"] for p in patterns}
    [summary] = json.loads(run_cli("costs", "-o", "json").stdout)
    assert summary["team"] == "payments" and float(summary["monthly_budget"]) == 5000


def test_status_lists_orphans_and_retry_deletes_the_ones_named(run_cli):
    # given a change whose retry stopped on a resource that no state holds
    created = json.loads(run_cli("create", "dev-environment", "--name", "box", "--no-wait", "-o", "json").stdout)
    stray = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0stray"
    ChangeRequest.objects.filter(pk=created["id"]).update(status="failed", failure_reason="no state holds")
    Environment.objects.filter(pk=created["environment"]).update(
        status="failed", orphans=[{"arn": stray, "type": "aws_vpc", "id": "vpc-0stray", "reason": "2 aws_vpc found"}]
    )

    # then `status` names it and how to delete it
    status = run_cli("status", "box")
    assert stray in status.stderr and "platform retry #<change> --delete-orphan ARN" in status.stderr

    # an ARN it did not list is refused; the listed one goes to the worker with the retry
    unknown = run_cli("retry", f"#{created['id']}", "--delete-orphan", "arn:aws:s3:::payroll", "--no-wait")
    assert unknown.returncode == 1 and "Pick from the environment's current list" in unknown.stderr
    retried = run_cli("retry", f"#{created['id']}", "--delete-orphan", stray, "--no-wait", "-o", "json")
    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout)["status"] == "checking"
    assert ChangeRequest.objects.get(pk=created["id"]).runs.order_by("-pk").first().delete_orphans == [stray]
