"""JSON-document attributes (policies, redrive policies, filter policies).

The real provider stores such strings normalised and suppresses diffs between equivalent
documents (``verify.SuppressEquivalentPolicyDiffs`` / ``SuppressEquivalentJSONDiffs``). The
sandbox keeps the configured text verbatim in state (no diff, and none of the warnings Terraform
logs when a value departs from the configuration), so resources report AWS's document only when
it differs in meaning from the one in state.
"""

import json
from typing import Any

from ..base import known


def normalize_json(text: str) -> str:
    """Compact, key-sorted JSON (like the real provider's structure.NormalizeJsonString)."""
    try:
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return text


def _canon(value: Any, policy: bool) -> Any:
    if isinstance(value, dict):
        return {k: _canon(v, policy) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canon(v, policy) for v in value]
        if policy:
            # IAM-style documents: "x" == ["x"], and lists (actions, statements) are unordered.
            if len(items) == 1:
                return items[0]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return items
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def equivalent(a: str | None, b: str | None, *, policy: bool = False) -> bool:
    """Do two JSON documents mean the same (numbers and numeric strings compare equal)?"""
    if not a or not b:
        return not a and not b
    try:
        return _canon(json.loads(a), policy) == _canon(json.loads(b), policy)
    except (TypeError, ValueError):
        return a == b


def state_json(current: Any, aws_value: str | None, *, policy: bool = False) -> str:
    """Value for state: the text in state when AWS's document is equivalent, else AWS's, normalised."""
    if not aws_value:
        return ""
    if known(current) and current and equivalent(current, aws_value, policy=policy):
        return current
    return normalize_json(aws_value)
