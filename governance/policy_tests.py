"""Policy test cases: YAML files in governance/policies/tests/, run by `manage.py check_policies`.

Each file names a policy (`policy: idp.<stage>.<name>`) and lists `cases:` with an `input`
(inline, or `fixture:` a plan captured from a real sandbox run, plus `patch:` operations) and
`expect: allow | deny`. Cases are evaluated like production input (set_input), not with Rego's
`with` keyword: rego-cpp 1.x crashes on `with` around built-in calls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from governance import policy as engine
from governance.policy import PolicyError, _relative, evaluate, load_policy_set


@dataclass
class PolicyTestReport:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # policies without both an allow and a deny case
    real_plans: list[str] = field(default_factory=list)  # real plans judged exactly as expected

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing


def run_policy_tests(root: Path | None = None) -> PolicyTestReport:
    root = root or engine.POLICY_DIR
    policy_set = load_policy_set(root)
    by_package = {p.package: p for p in policy_set.policies}
    fixtures_dir = root / "tests" / "fixtures"
    report = PolicyTestReport()
    covered: dict[str, set[str]] = {}
    for path in sorted((root / "tests").glob("*.yaml")):
        name = _relative(path, root)
        try:
            suite = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            report.failed.append(f"{name}: not valid YAML: {exc}")
            continue
        policy = by_package.get(suite.get("policy", ""))
        if policy is None:
            report.failed.append(f"{name}: names unknown policy {suite.get('policy')!r}")
            continue
        for index, case in enumerate(suite.get("cases") or [], start=1):
            label = f"{policy.id}: {case.get('name', f'case {index}')}"
            try:
                policy_input = _case_input(case, fixtures_dir)
                found = [r for r in evaluate(policy.stage, policy_input, root=root) if r["policy"] == policy.id]
            except (OSError, ValueError, KeyError, PolicyError) as exc:
                report.failed.append(f"{label}: cannot run: {exc}")
                continue
            expect = case.get("expect")
            ok = _case_passes(case, found)
            (report.passed if ok else report.failed).append(
                label if ok else f"{label}: expected {expect}, got {[r['value'] for r in found] or 'no violation'}"
            )
            if expect in ("allow", "deny"):
                covered.setdefault(policy.package, set()).add(expect)
    _run_real_plans(root, report)
    for policy in policy_set.policies:
        kinds = covered.get(policy.package, set())
        if kinds != {"allow", "deny"}:
            report.missing.append(
                f"{_relative(policy.path, root)}: needs at least one `expect: allow` and one `expect: deny` case"
                f" (has {sorted(kinds) or 'none'})"
            )
    return report


def _case_passes(case: dict, found: list[dict]) -> bool:
    if case.get("expect") == "allow":
        return not found
    if case.get("expect") != "deny" or not found:
        return False
    values = case.get("values")
    if values is not None and sorted(str(v) for v in values) != sorted(str(r["value"]) for r in found):
        return False
    resources = case.get("resources")
    return resources is None or set(resources) <= {r["resource"] for r in found}


def _case_input(case: dict, fixtures_dir: Path) -> dict:
    if "fixture" in case:
        policy_input = json.loads((fixtures_dir / f"{case['fixture']}.json").read_text())
    else:
        policy_input = case.get("input") or {}
    policy_input = json.loads(json.dumps(policy_input))  # a private copy to patch
    for operation in case.get("patch") or []:
        _apply_patch(policy_input, operation)
    return policy_input


def _apply_patch(policy_input: dict, operation: dict) -> None:
    """set_request / set_variable / set_after {address, path, value} / add_change {address, after} /
    as_update [addresses] / remove."""
    plan = policy_input.setdefault("plan", {})
    if "set_request" in operation:
        policy_input.setdefault("request", {}).update(operation["set_request"])
    elif "set_variable" in operation:
        op = operation["set_variable"]
        plan.setdefault("variables", {})[op["name"]] = {"value": op["value"]}
    elif "set_after" in operation:
        op = operation["set_after"]
        matches = [rc for rc in plan.get("resource_changes", []) if rc["address"] == op["address"]]
        if not matches:
            raise KeyError(f"no resource change {op['address']} in the fixture")
        for rc in matches:
            _set_path(rc["change"]["after"], op["path"], op["value"])
            # A value set by the test is known: drop the "known after apply" flag of its attribute.
            (rc["change"].get("after_unknown") or {}).pop(op["path"].split(".")[0], None)
    elif "add_change" in operation:
        op = operation["add_change"]
        address = op["address"]
        plan.setdefault("resource_changes", []).append(
            {
                "address": address,
                "mode": "managed",
                "type": op.get("type") or _config_address(address).split(".")[-2],
                "name": _config_address(address).split(".")[-1],
                "module_address": op.get("module_address"),
                "change": {
                    "actions": ["create"],
                    "after": op.get("after") or {},
                    "after_unknown": op.get("after_unknown") or {},
                },
            }
        )
    elif "as_update" in operation:
        # An update plan of what the fixture creates: the listed resources change, the rest stay as they are.
        changing = set(operation["as_update"])
        for rc in plan.get("resource_changes", []):
            change = rc["change"]
            change["before"] = json.loads(json.dumps(change.get("after") or {}))
            change["actions"] = ["update"] if rc["address"] in changing else ["no-op"]
        missing = changing - {rc["address"] for rc in plan.get("resource_changes", [])}
        if missing:
            raise KeyError(f"no resource change {sorted(missing)[0]} in the fixture")
    elif "remove" in operation:
        address = operation["remove"]
        plan["resource_changes"] = [
            rc for rc in plan.get("resource_changes", []) if _config_address(rc["address"]) != address
        ]
        root_module = plan.get("configuration", {}).get("root_module", {})
        for name, call in root_module.get("module_calls", {}).items():
            module = call.get("module", {})
            module["resources"] = [r for r in module.get("resources", []) if f"module.{name}.{r['address']}" != address]
    else:
        raise ValueError(f"unknown patch operation {sorted(operation)}")


def _config_address(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _set_path(target, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def _run_real_plans(root: Path, report: PolicyTestReport) -> None:
    """Every real plan of tests/real_plans/ gets exactly the verdicts written down in expected.yaml."""
    folder = root / "tests" / "real_plans"
    expected_file = folder / "expected.yaml"
    if not expected_file.exists():
        return
    for entry in yaml.safe_load(expected_file.read_text()) or []:
        plan = json.loads((folder / entry["file"]).read_text())
        for tier, rows in entry["tiers"].items():
            label = f"real plan {entry['file']} ({tier})"
            try:
                found = evaluate("plan", {"request": {"tier": tier}, "plan": plan}, root=root)
            except PolicyError as exc:
                report.failed.append(f"{label}: cannot run: {exc}")
                continue
            got = {(r["policy"], r["resource"]) for r in found}
            want = {(row["policy"], row["resource"]) for row in rows}
            if got == want:
                report.real_plans.append(label)
                continue
            missing = ", ".join(f"{p} on {r}" for p, r in sorted(want - got))
            extra = ", ".join(f"{p} on {r}" for p, r in sorted(got - want))
            report.failed.append(f"{label}: missing [{missing}]; unexpected [{extra}]")
