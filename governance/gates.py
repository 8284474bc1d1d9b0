"""Policy checks and approval routing between plan and apply (filled in by the governance issue)."""

from __future__ import annotations


def check_parameters(change) -> list[dict]:
    return []


def check_plan(change, run) -> list[dict]:
    return []


def required_approvals(change, run) -> dict[str, list[str]]:
    return {}


def open_requirements(change, run, required: dict[str, list[str]]) -> None:
    from governance.models import ApprovalRequirement

    for group, reasons in required.items():
        ApprovalRequirement.objects.create(change_request=change, group=group, reasons=reasons, plan_run=run)


def supersede_requirements(change) -> None:
    change.requirements.filter(superseded=False).update(superseded=True)
