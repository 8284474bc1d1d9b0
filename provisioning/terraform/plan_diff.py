"""Turn `terraform show -json` plan output into a diff people can read."""

from __future__ import annotations

import json
from typing import Any

UNKNOWN = "(known after apply)"
SENSITIVE = "(sensitive)"
ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("delete",): "destroy",
    ("read",): "read",
    ("no-op",): "no-op",
}
ORDER = ["destroy", "replace", "update", "create", "read", "no-op"]


def describe_plan(plan: dict) -> list[dict]:
    """[{address, type, action, attributes: [{name, before, after}]}] without no-op and read entries."""
    changes = []
    for rc in plan.get("resource_changes", []):
        change = rc.get("change", {})
        action = ACTIONS.get(tuple(change.get("actions", [])), "/".join(change.get("actions", [])))
        if action in ("no-op", "read"):
            continue
        changes.append(
            {
                "address": rc["address"],
                "type": rc.get("type", ""),
                "action": action,
                "attributes": _attributes(change, action),
            }
        )
    changes.sort(key=lambda c: (ORDER.index(c["action"]) if c["action"] in ORDER else 99, c["address"]))
    return changes


def describe_drift(plan: dict) -> list[dict]:
    """What changed outside Terraform, from a plan's `resource_drift` (Terraform 0.15.4 and later)."""
    drifted = []
    for rc in plan.get("resource_drift") or []:
        change = rc.get("change", {})
        gone = change.get("actions") == ["delete"] or change.get("after") is None
        action = "deleted" if gone else "changed"
        rows = [] if gone else [r for r in _attributes(change, "update") if not r["name"].startswith("tags_all")]
        drifted.append({"address": rc["address"], "type": rc.get("type", ""), "action": action, "attributes": rows})
    return sorted(drifted, key=lambda d: d["address"])


# Replacing one of these loses its data: a change that does is called out, and reviewed by the platform
# team (the `stateful-replacement` rule of governance/approval_rules.yaml names the same types).
STATEFUL_TYPES = frozenset(
    {"aws_db_instance", "aws_rds_cluster", "aws_redshift_cluster", "aws_s3_bucket", "aws_ebs_volume",
     "aws_elasticache_cluster", "aws_sqs_queue"}
)  # fmt: skip


def stateful_replacements(changes: list[dict]) -> list[dict]:
    return [c for c in changes if c["action"] in ("replace", "destroy") and c["type"] in STATEFUL_TYPES]


def summary(changes: list[dict]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "replace": 0, "destroy": 0}
    for change in changes:
        if change["action"] in counts:
            counts[change["action"]] += 1
    return counts


def _attributes(change: dict, action: str) -> list[dict]:
    before = change.get("before") or {}
    after = change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    before_sensitive = change.get("before_sensitive") or {}
    after_sensitive = change.get("after_sensitive") or {}
    if action == "destroy":
        return []
    rows = []
    for name in sorted(set(before) | set(after) | {k for k, v in unknown.items() if v is True}):
        old = _shown(before.get(name), before_sensitive.get(name))
        new = UNKNOWN if unknown.get(name) is True else _shown(after.get(name), after_sensitive.get(name))
        if action == "create":
            if new in (None, [], {}, "") and name not in unknown:
                continue
            rows.append({"name": name, "before": None, "after": new})
        elif unknown.get(name) is True or before.get(name) != after.get(name):
            # Compared on the real values, shown masked: a changed secret is visible as a change.
            rows.append({"name": name, "before": old, "after": new})
    return rows


def _shown(value: Any, sensitive: Any) -> Any:
    if sensitive is True:
        return SENSITIVE
    if isinstance(value, dict | list):
        if _contains_true(sensitive):
            return SENSITIVE
        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return value


def _contains_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, dict):
        return any(_contains_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_true(v) for v in value)
    return False
