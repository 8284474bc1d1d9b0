"""Changes at every step of governance, built without terraform or a worker.

A plan is a real `terraform show -json` plan of a shipped pattern, captured from the
sandbox cloud (governance/policies/tests/fixtures/), stored on the plan run the way
the executor stores it; then `plan_finished` runs the policies and the approval rules.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from catalogue.parameters import defaults
from governance import policy
from governance.policy import POLICY_DIR
from provisioning import services
from provisioning.choices import ChangeAction, ChangeStatus, RunKind, RunStatus
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.terraform.plan_diff import describe_plan

PLAN_FIXTURES = POLICY_DIR / "tests" / "fixtures"


def plan_fixture(name: str) -> dict:
    """A captured plan fixture: {request, pattern, plan}; a private copy, free to change."""
    return json.loads((PLAN_FIXTURES / f"{name}.json").read_text())


def captured_plan(name: str) -> dict:
    return plan_fixture(name)["plan"]


def resource_change(plan: dict, address: str) -> dict:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def with_database_open_to(plan: dict, cidrs: list[str]) -> dict:
    """The web-app plan Terraform makes when the form's `database_ingress_cidrs` is `cidrs`."""
    plan = copy.deepcopy(plan)
    plan["variables"]["database_ingress_cidrs"] = {"value": cidrs}
    database = resource_change(plan, "module.pattern.aws_security_group.database")
    database["change"]["after"]["ingress"][0]["cidr_blocks"] = cidrs
    return plan


def as_destroy_plan(plan: dict) -> dict:
    """The same resources, planned for destruction (`terraform plan -destroy`)."""
    plan = copy.deepcopy(plan)
    for rc in plan["resource_changes"]:
        change = rc["change"]
        change.update(actions=["delete"], before=change["after"], after=None, after_unknown={})
    return plan


def submit(actor, team, version, *, name: str = "checkout", tier: str = "dev", **parameters) -> ChangeRequest:
    """Request an environment through the service, as the form does."""
    return services.request_environment(
        actor=actor,
        team=team,
        pattern_version=version,
        name=name,
        tier=tier,
        ttl_days=None,
        parameters={**defaults(version.parameters_schema), **parameters},
    )


def finish_plan(change: ChangeRequest, plan: dict) -> ChangeRequest:
    """What the worker does when `terraform plan` succeeded: store the plan, then `plan_finished`."""
    run = change.runs.get(kind=RunKind.PLAN, status=RunStatus.QUEUED)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, plan_json=plan, plan_changes=describe_plan(plan), has_changes=True, exit_code=2
    )
    run.refresh_from_db()
    services.plan_finished(run)
    change.refresh_from_db()
    return change


def planned_change(
    actor,
    version,
    plan: dict,
    *,
    tier: str = "dev",
    action: str = ChangeAction.CREATE,
    cost=None,
    team=None,
    name: str = "checkout",
) -> ChangeRequest:
    """A change row with a finished plan run, built directly (no policies run): for the approval rules."""
    team = team or actor.memberships.get().team
    environment = Environment.objects.create(
        team=team, name=name, tier=tier, pattern_version=version, parameters={}, created_by=actor
    )
    change = ChangeRequest.objects.create(
        environment=environment, action=action, requested_by=actor, cost_estimate=cost, status=ChangeStatus.CHECKING
    )
    run = Run.objects.create(
        environment=environment,
        change_request=change,
        kind=RunKind.PLAN,
        status=RunStatus.SUCCEEDED,
        destroy=action == ChangeAction.DESTROY,
        plan_json=plan,
        plan_changes=describe_plan(plan),
    )
    change.plan_run = run
    change.save(update_fields=["plan_run"])
    return change


def point_policies_at(monkeypatch, root: Path) -> None:
    """Every entry point (loader, policy tests, cache, evaluation) reads the policies from `root`."""
    monkeypatch.setattr(policy, "POLICY_DIR", root)


def copy_policies(destination: Path) -> Path:
    """A writable copy of governance/policies, laid out like the real one (governance/policies/...)."""
    root = destination / "governance" / "policies"
    shutil.copytree(POLICY_DIR, root)
    return root


@pytest.fixture
def web_app(catalogue):
    return catalogue["web-app"].current_version


@pytest.fixture
def dev_environment(catalogue):
    return catalogue["dev-environment"].current_version


@pytest.fixture
def awaiting(alice, payments, web_app):
    """alice's web application (dev), planned, every policy passed: it waits for network and security."""
    change = finish_plan(submit(alice, payments, web_app), captured_plan("web-app-dev"))
    assert change.status == ChangeStatus.AWAITING_APPROVAL, change.failure_reason or change.policy_results
    return change


@pytest.fixture
def rejected_open_database(alice, payments, web_app):
    """alice's web application with its database open to the internet, rejected by the plan policies."""
    plan = with_database_open_to(captured_plan("web-app-dev"), ["0.0.0.0/0"])
    change = finish_plan(submit(alice, payments, web_app, database_ingress_cidrs=["0.0.0.0/0"]), plan)
    assert change.status == ChangeStatus.REJECTED, change.failure_reason
    return change
