"""Approval rules as data (governance/approval_rules.yaml): conditions on a change -> reviewer groups."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from governance.choices import ChangeAction, ReviewerGroup, Tier
from governance.resource_types import KNOWN_RESOURCE_TYPES

RULES_FILE = Path(__file__).resolve().parent / "approval_rules.yaml"
PLAN_ACTIONS = ("create", "update", "replace", "destroy")
CONDITIONS = (
    "resource_types", "actions", "tiers", "change_actions", "min_monthly_cost", "over_budget", "untested_in_lower_tiers",
)  # fmt: skip


class ApprovalRulesError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    when: dict
    require: tuple[str, ...]


@dataclass(frozen=True)
class ChangeFacts:
    """What the rules look at: resource types touched per plan action, tier, change action, cost."""

    touched: dict[str, set[str]]  # plan action -> resource types
    tier: str
    change_action: str
    monthly_cost: Decimal | None = None
    over_budget: bool = False
    untested_in_lower_tiers: bool = False


def load_rules(path: Path = RULES_FILE) -> list[Rule]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ApprovalRulesError([f"{path}: cannot be read as YAML: {exc}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise ApprovalRulesError([f"{path}: must contain `rules:`, a list of rules"])
    problems: list[str] = []
    rules = []
    seen = set()
    for index, raw in enumerate(document["rules"], start=1):
        where = f"{path.name}: rule {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping with id, when and require")
            continue
        rule_id = raw.get("id") or f"rule-{index}"
        where = f"{path.name}: rule {rule_id!r}"
        if rule_id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(rule_id)
        when, require = raw.get("when") or {}, raw.get("require") or []
        if not isinstance(when, dict) or not when:
            problems.append(f"{where}: `when` must name at least one condition ({', '.join(CONDITIONS)})")
            when = {}
        for key in when:
            if key not in CONDITIONS:
                problems.append(f"{where}: unknown condition {key!r}; use {', '.join(CONDITIONS)}")
        for name in when.get("resource_types", []):
            if name not in KNOWN_RESOURCE_TYPES:
                hint = difflib.get_close_matches(name, KNOWN_RESOURCE_TYPES, n=1)
                suggestion = f" (did you mean {hint[0]}?)" if hint else ""
                problems.append(f"{where}: unknown resource type {name!r}{suggestion}")
        problems += _check_values(where, "actions", when.get("actions", []), PLAN_ACTIONS)
        problems += _check_values(where, "tiers", when.get("tiers", []), Tier.values)
        problems += _check_values(where, "change_actions", when.get("change_actions", []), ChangeAction.values)
        if not isinstance(require, list) or not require:
            problems.append(f"{where}: `require` must list reviewer groups")
            require = []
        for group in require:
            if group not in ReviewerGroup.values:
                problems.append(f"{where}: unknown reviewer group {group!r}; use {', '.join(ReviewerGroup.values)}")
        rules.append(Rule(id=rule_id, description=raw.get("description", ""), when=when, require=tuple(require)))
    if problems:
        raise ApprovalRulesError(problems)
    return rules


def _check_values(where: str, key: str, values, allowed) -> list[str]:
    if not isinstance(values, list):
        return [f"{where}: {key} must be a list"]
    return [f"{where}: {key} has unknown value {v!r}; use {', '.join(allowed)}" for v in values if v not in allowed]


def matches(rule: Rule, facts: ChangeFacts) -> bool:
    when = rule.when
    if "tiers" in when and facts.tier not in when["tiers"]:
        return False
    if "change_actions" in when and facts.change_action not in when["change_actions"]:
        return False
    if when.get("over_budget") and not facts.over_budget:
        return False
    if when.get("untested_in_lower_tiers") and not facts.untested_in_lower_tiers:
        return False
    if "min_monthly_cost" in when and (
        facts.monthly_cost is None or facts.monthly_cost < Decimal(str(when["min_monthly_cost"]))
    ):
        return False
    actions = when.get("actions", PLAN_ACTIONS)
    touched = set().union(*(facts.touched.get(a, set()) for a in actions)) if facts.touched else set()
    if "resource_types" in when:
        return bool(touched & set(when["resource_types"]))
    if "actions" in when:
        return bool(touched)
    return True


def required_groups(rules: list[Rule], facts: ChangeFacts) -> dict[str, list[str]]:
    """{group: [reasons]} for every group some matching rule requires."""
    required: dict[str, list[str]] = {}
    for rule in rules:
        if matches(rule, facts):
            for group in rule.require:
                required.setdefault(group, []).append(rule.description or rule.id)
    return required


def concerning(rules: list[Rule], group: str, plan_changes: list[dict]) -> list[dict]:
    """The planned changes that made the rules ask `group` (those of the resource types its rules name)."""
    types = {t for rule in rules if group in rule.require for t in rule.when.get("resource_types", [])}
    return [change for change in plan_changes if change["type"] in types]


def touched_types(plan_changes: list[dict]) -> dict[str, set[str]]:
    touched: dict[str, set[str]] = {}
    for change in plan_changes:
        touched.setdefault(change["action"], set()).add(change["type"])
    return touched
