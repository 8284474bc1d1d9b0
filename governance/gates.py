"""Governance between request and apply: parameter policies, plan policies, approval routing.

Fail closed: a broken policy set or broken approval rules raise GovernanceUnavailable,
and the change is stopped rather than let through unchecked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from governance import policy
from governance.approval_rules import (
    RULES_FILE,
    ApprovalRulesError,
    ChangeFacts,
    load_rules,
    required_groups,
    touched_types,
)
from governance.field_mapping import field_for

PORTAL_FIELDS = {"name": "Environment name", "ttl_days": "Time to live (days)", "tier": "Tier"}


class GovernanceUnavailable(Exception):
    """Policies or approval rules cannot be evaluated; nothing may pass until they are fixed."""


def request_input(change, costs: dict | None = None) -> dict:
    environment = change.environment
    version = environment.pattern_version
    return {
        "costs": costs or {},
        "request": {
            "action": change.action,
            "team": environment.team.slug,
            "name": environment.name,
            "tier": environment.tier,
            "ttl_days": change.ttl_days,
            "pattern": version.pattern.slug,
            "pattern_version": version.version,
            "data_classification": version.data_classification,
            "parameters": change.parameters,
            "reason": change.reason,
        },
        "pattern": {"tiers": version.tiers, "parameters": sorted(version.parameters_schema.get("properties", {}))},
    }


def _evaluate(stages: tuple[str, ...], policy_input: dict) -> list[dict]:
    try:
        return policy.evaluate_stages(stages, policy_input)
    except policy.PolicySetBroken as exc:
        raise GovernanceUnavailable(
            "The policy set is broken, so no change can be checked (fail closed): " + "; ".join(exc.problems)
        ) from None


def _label(change, field: str) -> str:
    properties = change.environment.pattern_version.parameters_schema.get("properties", {})
    return PORTAL_FIELDS.get(field) or properties.get(field, {}).get("title", field)


def check_parameters(change, costs: dict | None = None) -> list[dict]:
    if change.action == "destroy":
        return []
    results = _evaluate(("params",), request_input(change, costs))
    for result in results:
        result["field_label"] = _label(change, result["field"]) if result["field"] else ""
    return results


def check_plan(change, run, costs: dict | None = None) -> list[dict]:
    """Parameter and plan policies together, on the request and the plan, in one evaluation."""
    plan_input = request_input(change, costs)
    plan_input["plan"] = run.plan_json or {}
    stages = ("plan",) if change.action == "destroy" else ("params", "plan")
    results = _evaluate(stages, plan_input)
    parameters = set(change.environment.pattern_version.parameters_schema.get("properties", {}))
    for result in results:
        if not result["field"]:
            result["field"] = field_for(run.plan_json or {}, result["resource"], result["attribute"], parameters) or ""
        result["field_label"] = _label(change, result["field"]) if result["field"] else ""
    return results


@lru_cache(maxsize=4)
def _rules(path: Path, mtime_ns: int):
    return load_rules(path)


def approval_rules(path: Path = RULES_FILE):
    try:
        return _rules(path, path.stat().st_mtime_ns)
    except (ApprovalRulesError, OSError) as exc:
        raise GovernanceUnavailable(f"The approval rules are broken (fail closed): {exc}") from None


def change_facts(change, run, *, over_budget: bool = False, untested: bool = False) -> ChangeFacts:
    """`over_budget` is the budget projection's verdict (provisioning.costing), `untested` the promotion
    path's (provisioning.promotion): facts the caller works out, not guesses from the change."""
    cost = change.cost_estimate
    return ChangeFacts(
        touched=touched_types(run.plan_changes or []) if run is not None else {},
        tier=change.environment.tier,
        change_action=change.action,
        monthly_cost=cost,
        over_budget=over_budget,
        untested_in_lower_tiers=untested,
    )


def required_approvals(change, run, *, over_budget: bool = False, untested: bool = False) -> dict[str, list[str]]:
    return required_groups(approval_rules(), change_facts(change, run, over_budget=over_budget, untested=untested))
