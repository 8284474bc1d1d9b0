"""Changes at every step of governance, built without terraform or a worker.

A plan is a real `terraform show -json` plan of a shipped pattern, captured from the
sandbox cloud (governance/policies/tests/fixtures/), stored on the plan run the way
the executor stores it; then `plan_finished` runs the policies and the approval rules.
"""

from __future__ import annotations

import copy
import json

from governance.choices import ChangeAction
from governance.policy import POLICY_DIR
from provisioning.actions import runs
from provisioning.choices import ChangeStatus, RunKind, RunStatus
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


def finish_plan(change: ChangeRequest, plan: dict) -> ChangeRequest:
    """What the worker does when `terraform plan` succeeded: claim the run, store the plan, report it."""
    run = change.runs.get(kind=RunKind.PLAN, status=RunStatus.QUEUED)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, plan_json=plan, plan_changes=describe_plan(plan), has_changes=True
    )
    runs.plan_finished(run.pk, exit_code=2)
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


def running(run: Run) -> Run:
    """The run as a worker holds it: claimed, running."""
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    return run


def finish_apply(change: ChangeRequest, *, outputs: dict | None = None, state: dict | None = None) -> ChangeRequest:
    """What the worker does when `terraform apply` succeeded."""
    run = running(change.runs.get(kind=RunKind.APPLY, status=RunStatus.QUEUED))
    runs.apply_finished(run.pk, exit_code=0, outputs=outputs or {}, state=state or {})
    change.refresh_from_db()
    return change
