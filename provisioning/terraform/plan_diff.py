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


# Attributes a resource reads back from the cloud although another resource of the configuration sets
# them (AWS provider v4+ split a bucket's settings, a topic's or queue's policy, a group's rules out of
# the parent). After the sibling applies, the parent's next refresh sees the value change; Terraform 1.0
# reports that as drift, which is noise: a real change shows as drift of the sibling itself.
MANAGED_BY_SIBLING: dict[tuple[str, str], frozenset[str]] = {
    key: frozenset(types)
    for key, types in {
        ("aws_s3_bucket", "versioning"): ["aws_s3_bucket_versioning"],
        ("aws_s3_bucket", "server_side_encryption_configuration"): [
            "aws_s3_bucket_server_side_encryption_configuration"
        ],
        ("aws_s3_bucket", "lifecycle_rule"): ["aws_s3_bucket_lifecycle_configuration"],
        ("aws_s3_bucket", "logging"): ["aws_s3_bucket_logging"],
        ("aws_s3_bucket", "policy"): ["aws_s3_bucket_policy"],
        ("aws_s3_bucket", "acl"): ["aws_s3_bucket_acl"],
        ("aws_s3_bucket", "grant"): ["aws_s3_bucket_acl"],
        ("aws_s3_bucket", "cors_rule"): ["aws_s3_bucket_cors_configuration"],
        ("aws_s3_bucket", "website"): ["aws_s3_bucket_website_configuration"],
        ("aws_s3_bucket", "replication_configuration"): ["aws_s3_bucket_replication_configuration"],
        ("aws_s3_bucket", "object_lock_configuration"): ["aws_s3_bucket_object_lock_configuration"],
        ("aws_s3_bucket", "acceleration_status"): ["aws_s3_bucket_accelerate_configuration"],
        ("aws_s3_bucket", "request_payer"): ["aws_s3_bucket_request_payment_configuration"],
        ("aws_sns_topic", "policy"): ["aws_sns_topic_policy"],
        ("aws_sqs_queue", "policy"): ["aws_sqs_queue_policy"],
        ("aws_kms_key", "policy"): ["aws_kms_key_policy"],
        ("aws_iam_role", "inline_policy"): ["aws_iam_role_policy"],
        ("aws_iam_role", "managed_policy_arns"): ["aws_iam_role_policy_attachment"],
        ("aws_security_group", "ingress"): ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
        ("aws_security_group", "egress"): ["aws_security_group_rule", "aws_vpc_security_group_egress_rule"],
    }.items()
}


def describe_drift(plan: dict) -> list[dict]:
    """What changed outside Terraform, from a plan's `resource_drift` (Terraform 0.15.4 and later).

    A resource whose only drifted attributes are set by a sibling resource (MANAGED_BY_SIBLING) is not
    reported; deleted resources always are.
    """
    present = _resource_types(plan)
    drifted = []
    for rc in plan.get("resource_drift") or []:
        change, kind = rc.get("change", {}), rc.get("type", "")
        gone = change.get("actions") == ["delete"] or change.get("after") is None
        visible = [
            row for row in ([] if gone else _attributes(change, "update")) if not row["name"].startswith("tags_all")
        ]
        rows = [row for row in visible if not MANAGED_BY_SIBLING.get((kind, row["name"]), frozenset()) & present]
        if visible and not rows:
            continue
        drifted.append({"address": rc["address"], "type": kind, "action": "deleted" if gone else "changed",
                        "attributes": rows})  # fmt: skip
    return sorted(drifted, key=lambda d: d["address"])


def _resource_types(plan: dict) -> set[str]:
    """Every resource type the plan's configuration declares, in any module."""
    types: set[str] = set()
    modules = [(plan.get("configuration") or {}).get("root_module") or {}]
    while modules:
        module = modules.pop()
        types.update(resource.get("type", "") for resource in module.get("resources") or [])
        modules.extend((call.get("module") or {}) for call in (module.get("module_calls") or {}).values())
    types.update(rc.get("type", "") for rc in plan.get("resource_changes") or [])
    return types


# Replacing one of these loses its data: a change that does is called out, and reviewed by the platform
# team (the `stateful-replacement` rule of governance/approval_rules.yaml names the same types).
STATEFUL_TYPES = frozenset(
    {"aws_db_instance", "aws_rds_cluster", "aws_redshift_cluster", "aws_s3_bucket", "aws_ebs_volume",
     "aws_elasticache_cluster", "aws_sqs_queue", "aws_sagemaker_notebook_instance"}
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
