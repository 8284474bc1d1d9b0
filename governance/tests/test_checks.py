"""Start-up checks: a policy that does not compile (governance.E001) or bad approval rules
(governance.E002) stop the portal from starting, naming the file, the line and the error."""

import pytest
import yaml
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from governance.approval_rules import load_rules
from governance.tests.conftest import copy_policies, point_policies_at

BROKEN = "package idp.plan.broken\n\nimport rego.v1\n\nviolations contains v if {\n\tv := input.plan.\n}\n"
HINT = "Fix the file; `manage.py check_policies` runs the policy tests."


def governance_errors() -> list[Error]:
    return [e for e in run_checks(tags=["governance"]) if e.id.startswith("governance.")]


@pytest.fixture
def broken_policy(tmp_path, monkeypatch):
    root = copy_policies(tmp_path)
    (root / "plan" / "broken.rego").write_text(BROKEN)
    point_policies_at(monkeypatch, root)
    return root


@pytest.fixture
def bad_rules(tmp_path, monkeypatch):
    path = tmp_path / "approval_rules.yaml"
    rules = [
        {"id": "typo", "when": {"resource_types": ["aws_secuirty_group"]}, "require": ["network"]},
        {"id": "sre", "when": {"tiers": ["prod"]}, "require": ["sre"]},
    ]
    path.write_text(yaml.safe_dump({"rules": rules}))
    monkeypatch.setattr(load_rules, "__defaults__", (path,))
    return path


def test_the_shipped_policies_and_rules_pass_the_checks():
    assert governance_errors() == []
    call_command("check")  # the portal starts


def test_a_policy_that_does_not_compile_is_a_start_up_error(broken_policy):
    [error] = governance_errors()
    assert (error.id, error.msg, error.hint) == (
        "governance.E001",
        "governance/policies/plan/broken.rego:6: Invalid literal",
        HINT,
    )
    assert error.is_serious()


def test_bad_approval_rules_are_a_start_up_error(bad_rules):
    errors = governance_errors()
    assert [(e.id, e.msg) for e in errors] == [
        (
            "governance.E002",
            "approval_rules.yaml: rule 'typo': unknown resource type 'aws_secuirty_group' "
            "(did you mean aws_security_group?)",
        ),
        (
            "governance.E002",
            "approval_rules.yaml: rule 'sre': unknown reviewer group 'sre'; use network, security, platform, finance",
        ),
    ]


def test_both_problems_are_reported_at_once(broken_policy, bad_rules):
    assert sorted({e.id for e in governance_errors()}) == ["governance.E001", "governance.E002"]


def test_manage_py_check_refuses_to_start_with_a_broken_policy(broken_policy):
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    report = str(refused.value)
    assert "governance.E001" in report
    assert "governance/policies/plan/broken.rego:6: Invalid literal" in report
    assert HINT in report


def test_manage_py_check_refuses_to_start_with_bad_rules(bad_rules):
    with pytest.raises(SystemCheckError, match=r"governance\.E002.*did you mean aws_security_group\?"):
        call_command("check")
