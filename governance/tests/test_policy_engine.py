"""The Rego policy engine: every shipped policy compiles and passes its cases; a broken policy set
is named (file, line, error) everywhere and stops every change (fail closed)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import request_change
from governance import policy
from governance.choices import AuditAction
from governance.models import AuditEvent
from governance.policy import PolicyError, PolicySetBroken, evaluate, load_policy_set
from governance.tests.conftest import check_policies, copy_policies, point_policies_at
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.tests.plans import captured_plan, finish_plan, plan_fixture

SHIPPED = sorted(p.stem for stage in ("params", "plan") for p in (policy.POLICY_DIR / stage).glob("*.rego"))
BROKEN_FILE = "governance/policies/plan/broken.rego"
# Line 6 does not parse.
BROKEN = """package idp.plan.broken

import rego.v1

violations contains v if {
	v := input.plan.
}
"""
METADATA = """metadata := {
	"id": "%s",
	"title": "A title",
	"severity": "deny",
	"rationale": "Why.",
	"remediation": "What to do.",
}
"""


def policy_file(name: str, body: str, *, policy_id: str | None = None, stage: str = "plan") -> str:
    meta = METADATA % (policy_id or f"{stage}-{name}") if policy_id is not False else ""
    return f"package idp.{stage}.{name}\n\nimport rego.v1\n\n{meta}\n{body}\n"


@pytest.fixture
def policies_copy(tmp_path):
    return copy_policies(tmp_path)


@pytest.fixture
def broken_policies(policies_copy, monkeypatch):
    """The shipped policies plus one file that does not compile, used by the whole portal."""
    (policies_copy / "plan" / "broken.rego").write_text(BROKEN)
    point_policies_at(monkeypatch, policies_copy)
    return policies_copy


def problems_of(root) -> list[str]:
    with pytest.raises(PolicyError) as refused:
        load_policy_set(root)
    return refused.value.problems


# -- the shipped policy set ------------------------------------------------------
def test_every_shipped_policy_compiles_with_its_metadata():
    # when the shipped policy set is loaded
    policy_set = load_policy_set()

    # then every file is a policy with the metadata the portal shows
    assert sorted(p.path.stem for p in policy_set.policies) == SHIPPED
    for loaded in policy_set.policies:
        meta = loaded.metadata
        assert all(meta.get(key) for key in policy.REQUIRED_METADATA), loaded.package
        assert meta["severity"] in ("deny", "warn")
        if loaded.stage == "params" and not loaded.package.startswith("idp.params.team_budget"):
            # the budget is about the whole request (its message sits at the top of the form)
            assert meta.get("field"), f"{loaded.package} concerns a parameter but names no form field"
    assert len({p.id for p in policy_set.policies}) == len(SHIPPED)


def test_check_policies_compiles_every_policy_and_runs_its_cases():
    # when the command runs on the shipped policies
    failure, output, errors = check_policies()

    # then everything compiled, every case passed and no policy lacks cases
    assert f"{len(SHIPPED)} policies compiled." in output
    assert "policy tests passed; 44 real plans judged as expected." in output
    assert "approval rules valid." in output
    assert not failure and "FAIL" not in errors and "MISSING" not in errors, errors + failure


def test_every_shipped_policy_has_a_passing_and_a_failing_case(shipped_policy_report):
    report = shipped_policy_report
    assert report.ok, report.failed + report.missing
    tested = {name.split(":")[0] for name in report.passed}
    assert tested == {p.id for p in load_policy_set().policies}


def test_the_shipped_plans_pass_every_plan_policy():
    # given the real sandbox plans of the shipped patterns, as requested
    for name in ("web-app-dev", "postgres-database-dev", "dev-environment-dev", "data-warehouse-dev"):
        # then no plan policy denies them
        denials = [r for r in evaluate("plan", plan_fixture(name)) if r["severity"] == "deny"]
        assert denials == [], name


def test_a_violation_carries_title_resource_value_and_remediation():
    # given the web application with its database open to the internet
    fixture = plan_fixture("web-app-dev")
    database = next(
        rc for rc in fixture["plan"]["resource_changes"] if rc["address"].endswith("aws_security_group.database")
    )
    database["change"]["after"]["ingress"][0]["cidr_blocks"] = ["0.0.0.0/0"]

    # when the plan policies are evaluated
    results = [r for r in evaluate("plan", fixture) if r["severity"] == "deny"]

    # then the one violation says what, where, the offending value and what to change
    assert results == [
        {
            "policy": "plan-no-open-ingress",
            "title": "No ingress from large parts of the internet",
            "severity": "deny",
            "stage": "plan",
            "rationale": results[0]["rationale"],
            "resource": "module.pattern.aws_security_group.database",
            "attribute": "ingress.cidr_blocks",
            "value": "0.0.0.0/0 to ports 5432-5432",
            "message": "module.pattern.aws_security_group.database admits 0.0.0.0/0 on ports 5432-5432: "
            "its group is open to 3702259456 public addresses, more than a /16.",
            "remediation": results[0]["remediation"],
            "field": "",
        }
    ]
    assert "Replace these ranges" in results[0]["remediation"] and results[0]["rationale"]


def test_a_warning_is_reported_with_its_field_and_does_not_deny():
    # given a development environment living 14 days (the tier allows 30, the guideline is 7)
    request = {
        "request": {"tier": "dev", "ttl_days": 14, "name": "checkout", "parameters": {"region": "eu-west-1"}},
        "pattern": {"tiers": {"dev": {"max_ttl_days": 30}}},
    }

    # when the parameter policies are evaluated
    results = evaluate("params", request)

    # then there is one warning, on the time-to-live field, and no denial
    assert [(r["policy"], r["severity"], r["field"], r["value"]) for r in results] == [
        ("params-dev-lifetime", "warn", "ttl_days", "14 days")
    ]


def test_a_new_rego_file_is_a_new_policy_without_code_change(policies_copy):
    # given a new policy file dropped into the policy folder
    (policies_copy / "params" / "no_fridays.rego").write_text(
        policy_file(
            "no_fridays",
            'violations contains {"value": input.request.name} if input.request.name == "friday"',
            stage="params",
        )
    )

    # when a request breaks it, then it is evaluated like the shipped ones
    results = evaluate("params", {"request": {"name": "friday", "tier": "test", "parameters": {}}}, root=policies_copy)
    assert [(r["policy"], r["value"], r["title"]) for r in results] == [("params-no_fridays", "friday", "A title")]


# -- a broken policy set is named and refused ----------------------------------------
def test_a_file_that_does_not_compile_is_named_with_its_line_and_error(policies_copy):
    (policies_copy / "plan" / "broken.rego").write_text(BROKEN)
    assert problems_of(policies_copy) == [f"{BROKEN_FILE}:6: Invalid literal"]


def test_an_unknown_function_is_named_with_its_file_and_line(policies_copy):
    # given a policy calling a built-in with a typo (the engine gives no location for it)
    body = 'violations contains v if {\n\tv := concatt("", ["a"])\n}'
    (policies_copy / "plan" / "typo.rego").write_text(policy_file("typo", body))

    # then the file, the line of the call and the engine's message are reported
    assert problems_of(policies_copy) == ["governance/policies/plan/typo.rego:14: Function not found: concatt"]


def test_check_policies_names_the_broken_file_and_fails(broken_policies):
    err = StringIO()
    with pytest.raises(CommandError, match="does not compile"):
        call_command("check_policies", stdout=StringIO(), stderr=err)
    assert f"error: {BROKEN_FILE}:6: Invalid literal" in err.getvalue()


@pytest.mark.parametrize("stage", ["params", "plan"])
def test_evaluating_against_a_broken_set_raises(broken_policies, stage):
    # given a broken file (in the plan stage); then no stage evaluates, not even params
    with pytest.raises(PolicySetBroken) as refused:
        evaluate(stage, plan_fixture("web-app-dev"))
    assert refused.value.problems == [f"{BROKEN_FILE}:6: Invalid literal"]


def test_a_fixed_policy_set_is_picked_up_again(broken_policies):
    with pytest.raises(PolicySetBroken):
        evaluate("params", {"request": {"name": "checkout", "tier": "test", "parameters": {}}})

    # when the broken file is fixed
    (broken_policies / "plan" / "broken.rego").unlink()

    # then the set reloads and evaluates again
    assert evaluate("params", {"request": {"name": "checkout", "tier": "test", "parameters": {}}}) == []


def test_a_policy_using_with_is_refused(policies_copy):
    body = 'violations contains v if {\n\tv := input.request.name with input as {"request": {"name": "x"}}\n}'
    (policies_copy / "plan" / "uses_with.rego").write_text(policy_file("uses_with", body))
    assert problems_of(policies_copy) == [
        "governance/policies/plan/uses_with.rego:14: `with` is not supported by the embedded Rego engine; "
        "read input directly"
    ]


def test_a_policy_without_metadata_is_refused(policies_copy):
    (policies_copy / "plan" / "anonymous.rego").write_text(
        policy_file("anonymous", "violations contains 1 if false", policy_id=False)
    )
    [problem] = problems_of(policies_copy)
    assert problem.startswith("governance/policies/plan/anonymous.rego:1: declare `metadata := {...}` with id, title")


def test_a_policy_with_incomplete_metadata_is_refused(policies_copy):
    text = 'package idp.plan.sloppy\n\nmetadata := {"id": "plan-sloppy", "title": "Sloppy", "severity": "block"}\n'
    (policies_copy / "plan" / "sloppy.rego").write_text(text)
    assert problems_of(policies_copy) == [
        "governance/policies/plan/sloppy.rego:1: metadata.rationale is required",
        "governance/policies/plan/sloppy.rego:1: metadata.remediation is required",
        "governance/policies/plan/sloppy.rego:1: metadata.severity must be deny or warn, not 'block'",
    ]


def test_two_policies_with_the_same_id_are_refused(policies_copy):
    (policies_copy / "plan" / "copycat.rego").write_text(
        policy_file("copycat", "violations contains 1 if false", policy_id="plan-no-open-ingress")
    )
    assert problems_of(policies_copy) == ["policy id 'plan-no-open-ingress' is used by more than one file"]


def test_a_policy_outside_the_two_stages_is_refused(policies_copy):
    (policies_copy / "plan" / "elsewhere.rego").write_text("package idp.deploy.elsewhere\n\nx := 1\n")
    assert problems_of(policies_copy) == [
        "governance/policies/plan/elsewhere.rego:1: package must be idp.params.<name> or idp.plan.<name>, "
        "not idp.deploy.elsewhere"
    ]


def test_invalid_policy_data_is_refused(policies_copy):
    (policies_copy / "data.yaml").write_text("approved_regions: [eu-west-1\n")
    [problem] = problems_of(policies_copy)
    assert problem.startswith("governance/policies/data.yaml: not valid YAML")


# -- fail closed, end to end ------------------------------------------------------------
def test_a_request_against_a_broken_policy_set_fails_and_is_never_planned(broken_policies, alice, payments, catalogue):
    # when alice requests an environment while a policy file is broken
    change = request_change(alice, payments, catalogue["web-app"].current_version)

    # then the change stops, naming the broken file, and nothing is queued for planning
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED
    assert f"{BROKEN_FILE}:6: Invalid literal" in change.failure_reason
    assert "fail closed" in change.failure_reason
    assert not change.runs.exists()
    assert change.environment.status == EnvironmentStatus.FAILED
    assert AuditEvent.objects.filter(change_request=change, action=AuditAction.CHANGE_FAILED).exists()


def test_a_plan_finished_against_a_broken_policy_set_is_stopped_not_applied(
    alice, payments, catalogue, policies_copy, monkeypatch
):
    # given a change planned while the policies were fine
    change = request_change(alice, payments, catalogue["web-app"].current_version)
    assert change.runs.get().kind == RunKind.PLAN

    # when a policy file breaks before the plan is checked
    (policies_copy / "plan" / "broken.rego").write_text(BROKEN)
    point_policies_at(monkeypatch, policies_copy)
    change = finish_plan(change, captured_plan("web-app-dev"))

    # then the change fails (fail closed): no approval asked, nothing applied
    assert change.status == ChangeStatus.FAILED
    assert BROKEN_FILE in change.failure_reason
    assert not change.requirements.exists()
    assert not change.runs.filter(kind=RunKind.APPLY).exists()
