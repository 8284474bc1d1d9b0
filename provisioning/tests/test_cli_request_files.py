"""`platform validate`, `plan -f` and `apply -f` as a CI job runs them: the real command against a live portal."""

from __future__ import annotations

import json

import pytest

from provisioning.models import ChangeRequest, Environment
from provisioning.tests.test_gitops_request_files import BOX


@pytest.fixture
def box_file(tmp_path):
    def write(content=BOX, name="box.yaml"):
        path = tmp_path / "envs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(content)
        return str(path)

    return write


def test_validate_prints_file_line_and_field_and_exits_1(run_cli, box_file):
    unknown = box_file(BOX.replace("  tier: dev\n", "  tier: dev\n  colour: red\n"), name="unknown.yaml")
    bad = box_file(BOX.replace("40", "5000"), name="bad.yaml")
    result = run_cli("validate", unknown, bad, box_file(name="good.yaml"))
    assert result.returncode == 1, result.stderr
    assert f"{unknown}:10: spec.colour: Unknown key `colour`" in result.stdout
    assert f"{bad}:12: spec.parameters.volume_size_gb: Enter a value of at most 100." in result.stdout
    assert "good.yaml: create payments/box, $" in result.stdout and "a month" in result.stdout
    assert "3 file(s) checked: 2 error(s)." in result.stderr
    assert not Environment.objects.exists()


def test_validate_in_github_format_writes_annotations(run_cli, box_file):
    bad = box_file(BOX.replace("40", "5000"))
    result = run_cli("validate", "--format", "github", bad)
    assert result.returncode == 1
    assert f"::error file={bad},line=12::spec.parameters.volume_size_gb: Enter a value of at most 100." in result.stdout


def test_a_valid_file_exits_0_with_its_quote(run_cli, box_file):
    result = run_cli("validate", box_file(), "--output", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    checked = json.loads(result.stdout)
    assert checked["valid"] and checked["files"][0]["quote"]["monthly"].startswith("$")


def test_plan_is_a_speculative_check_and_quote(run_cli, box_file):
    result = run_cli("plan", "-f", box_file(BOX.replace("name: box", "name: shop-prod")))
    assert result.returncode == 1
    assert "metadata.name: [params-naming] A dev environment must not be named like production" in result.stdout
    assert "not a Terraform plan" in run_cli("plan", "--help").stdout
    assert not ChangeRequest.objects.exists()


def test_apply_submits_once_and_reports_nothing_to_do_the_second_time(run_cli, box_file):
    path = box_file()
    first = run_cli("apply", "-f", path, "--no-wait", "--output", "json")
    assert first.returncode == 0, first.stderr
    change = json.loads(first.stdout)
    assert (change["action"], change["environment_name"], change["parameters"]["volume_size_gb"]) == (
        "create",
        "box",
        40,
    )
    second = run_cli("apply", "-f", path, "--no-wait")
    assert second.returncode == 0 and "nothing to do" in second.stdout
    assert ChangeRequest.objects.count() == 1


def test_apply_of_a_bad_file_prints_the_line_and_changes_nothing(run_cli, box_file):
    path = box_file(BOX.replace("team: payments", "team: analytics"))
    result = run_cli("apply", "-f", path, "--no-wait")
    assert result.returncode == 1
    assert f"{path}:4: metadata.team: You are not a member of team 'analytics'" in result.stderr
    assert not Environment.objects.exists()
