"""Trace a plan violation back to the request form field that caused it.

The plan JSON's `configuration` section keeps, for every attribute of every
resource block, the references of its expression (`var.database_ingress_cidrs`).
The root module the portal generates passes each form field to the pattern
module under the same name, so following `var.X` inside the module and then
the module call's argument gives the form field. No per-pattern mapping table:
it works for every pattern that wires its variables into its resources.
"""

from __future__ import annotations

import re

INDEX_RE = re.compile(r"\[[^\]]*\]")


def config_resources(plan: dict) -> dict[str, tuple[dict, dict | None]]:
    """{configuration address: (resource block, module call block or None)}."""
    found: dict[str, tuple[dict, dict | None]] = {}
    root = (plan.get("configuration") or {}).get("root_module") or {}
    for resource in root.get("resources", []):
        found[resource["address"]] = (resource, None)
    for name, call in (root.get("module_calls") or {}).items():
        for resource in (call.get("module") or {}).get("resources", []):
            found[f"module.{name}.{resource['address']}"] = (resource, call)
    return found


def _references(expression, path: list[str]) -> list[str]:
    """References under `expression` following `path` (blocks are lists of expression maps)."""
    if isinstance(expression, list):
        return [ref for item in expression for ref in _references(item, path)]
    if not isinstance(expression, dict):
        return []
    if "references" in expression and not path:
        return list(expression["references"])
    if path:
        return _references(expression.get(path[0]), path[1:])
    return [ref for value in expression.values() for ref in _references(value, [])]


def field_for(plan: dict, resource_address: str, attribute: str, parameter_names: set[str]) -> str | None:
    if not resource_address or not attribute:
        return None
    address = INDEX_RE.sub("", resource_address)
    entry = config_resources(plan).get(address)
    if entry is None:
        return None
    resource, call = entry
    path = attribute.split(".")
    if path[0] not in (resource.get("expressions") or {}):
        # Terraform leaves attributes written as blocks (aws_security_group's `ingress { }`) out of the
        # configuration's expressions: recognise the form field by the value it put there instead.
        return _field_by_value(plan, resource_address, path, parameter_names)
    refs = _references(resource.get("expressions") or {}, path)
    for ref in refs:
        if not ref.startswith("var."):
            continue
        variable = ref.split(".")[1]
        if call is None:
            candidate = variable
        else:
            argument = (call.get("expressions") or {}).get(variable) or {}
            root_vars = [r.split(".")[1] for r in argument.get("references", []) if r.startswith("var.")]
            candidate = root_vars[0] if root_vars else None
        if candidate in parameter_names:
            return candidate
    return None


def _values_at(value, path: list[str]) -> list:
    """The planned values under `path`, looking through lists (block sets)."""
    if not path:
        return [value]
    if isinstance(value, list):
        return [found for item in value for found in _values_at(item, path)]
    return _values_at(value.get(path[0]), path[1:]) if isinstance(value, dict) else []


def _field_by_value(plan: dict, resource_address: str, path: list[str], parameter_names: set[str]) -> str | None:
    """The one form field whose value is the planned value of the attribute; None when none or several are."""
    after = next(
        (rc["change"].get("after") for rc in plan.get("resource_changes", []) if rc.get("address") == resource_address),
        None,
    )
    found = [value for value in _values_at(after, path) if value not in (None, "", [], {})]
    variables = {name: (plan.get("variables") or {}).get(name, {}).get("value") for name in sorted(parameter_names)}
    # `= var.x` first, then `= [var.x]`; several candidates are a guess, and a guess is worse than none.
    for candidates in (
        [name for name, value in variables.items() if value is not None and value in found],
        [name for name, value in variables.items() if value is not None and [value] in found],
    ):
        if candidates:
            return candidates[0] if len(candidates) == 1 else None
    return None
