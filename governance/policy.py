"""Policy-as-code: Rego files in governance/policies/, evaluated in-process with regopy.

A policy is one `.rego` file whose package is `idp.params.<name>` (checked on
the request, before Terraform runs) or `idp.plan.<name>` (checked on the
output of `terraform show -json`). It declares `metadata` (id, title,
severity deny|warn, rationale, remediation, and for parameter policies the
form field) and a set rule `violations` of objects {resource, attribute,
value, message, field, remediation}. Files under `lib/` are shared helpers,
files under `tests/` are Rego tests (`test_allows_*`, `test_denies_*`) run by
`manage.py check_policies`. A new file is a new policy: no code change.

Fail closed: if any file does not compile, evaluation raises PolicySetBroken
and no change passes.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from regopy import Interpreter, set_default_log_level

# rego-cpp prints compile errors to stdout; we report them ourselves, with file and line.
set_default_log_level("None")

POLICY_DIR = Path(__file__).resolve().parent / "policies"
PACKAGE_RE = re.compile(r"^\s*package\s+([A-Za-z0-9_.]+)", re.MULTILINE)
TEST_RULE_RE = re.compile(r"^\s*(test_[A-Za-z0-9_]+)\b", re.MULTILINE)
ERROR_LOCATION_RE = re.compile(r"\(error \d+:([^|\s]+)\|(\d+)\|")
STAGES = ("params", "plan")
SEVERITIES = ("deny", "warn")
REQUIRED_METADATA = ("id", "title", "severity", "rationale", "remediation")


class PolicyError(Exception):
    """A policy file is broken; `problems` are 'file:line: message' lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class PolicySetBroken(PolicyError):
    pass


@dataclass
class Policy:
    package: str
    stage: str
    path: Path
    metadata: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.metadata.get("id", self.package)


@dataclass
class PolicySet:
    policies: list[Policy]
    libraries: dict[str, str]  # module name -> source
    sources: dict[str, str]
    data: dict

    def stage(self, stage: str) -> list[Policy]:
        return [p for p in self.policies if p.stage == stage]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent.parent))
    except ValueError:
        return str(path)


def load_policy_set(root: Path = POLICY_DIR) -> PolicySet:
    """Read and compile every policy; raise PolicyError naming file, line and error."""
    problems: list[str] = []
    sources: dict[str, str] = {}
    policies: list[Policy] = []
    libraries: dict[str, str] = {}
    for path in sorted(root.rglob("*.rego")):
        if "tests" in path.relative_to(root).parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = _relative(path, root)
        sources[name] = text
        match = PACKAGE_RE.search(text)
        if not match:
            problems.append(f"{name}:1: no `package` declaration")
            continue
        package = match.group(1)
        parts = package.split(".")
        if "lib" in path.relative_to(root).parts:
            libraries[name] = text
            continue
        if len(parts) != 3 or parts[0] != "idp" or parts[1] not in STAGES:
            problems.append(f"{name}:1: package must be idp.params.<name> or idp.plan.<name>, not {package}")
            continue
        policies.append(Policy(package=package, stage=parts[1], path=path))
    data = _load_data(root, problems)
    if problems:
        raise PolicyError(problems)
    policy_set = PolicySet(policies=policies, libraries=libraries, sources=sources, data=data)
    try:
        interpreter = _interpreter(policy_set)
        packages = json.loads(str(interpreter.query("x = data.idp")).strip()) if policies else {}
    except Exception as exc:  # regopy raises RegoError with a location inside the text
        raise PolicyError(_compile_problems(exc, sources)) from None
    bindings = packages.get("bindings", {}).get("x", {}) if packages else {}
    for policy in policies:
        _, stage, short = policy.package.split(".")
        compiled = bindings.get(stage, {}).get(short, {})
        policy.metadata = compiled.get("metadata") or {}
        problems += _check_metadata(policy, _relative(policy.path, root))
    ids = [p.id for p in policies]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"policy id {duplicate!r} is used by more than one file")
    if problems:
        raise PolicyError(problems)
    return policy_set


def _load_data(root: Path, problems: list[str]) -> dict:
    path = root / "data.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        problems.append(f"{_relative(path, root)}: not valid YAML: {exc}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{_relative(path, root)}: must be a mapping")
        return {}
    return data


def _check_metadata(policy: Policy, name: str) -> list[str]:
    meta = policy.metadata
    problems = []
    if not meta:
        return [f"{name}:1: declare `metadata := {{...}}` with {', '.join(REQUIRED_METADATA)}"]
    for key in REQUIRED_METADATA:
        if not meta.get(key):
            problems.append(f"{name}:1: metadata.{key} is required")
    if meta.get("severity") and meta["severity"] not in SEVERITIES:
        problems.append(f"{name}:1: metadata.severity must be deny or warn, not {meta['severity']!r}")
    return problems


def _compile_problems(exc: Exception, sources: dict[str, str]) -> list[str]:
    text = str(exc)
    message = re.search(r"\(errormsg \d+:([^)]*)\)", text)
    reason = message.group(1).strip() if message else text.strip().splitlines()[0]
    location = ERROR_LOCATION_RE.search(text)
    if location and location.group(1) in sources:
        name, offset = location.group(1), int(location.group(2))
        line = sources[name].count("\n", 0, offset) + 1
        return [f"{name}:{line}: {reason}"]
    return [f"policies: {reason}"]


def _interpreter(policy_set: PolicySet) -> Interpreter:
    interpreter = Interpreter()
    for name, text in policy_set.sources.items():
        interpreter.add_module(name, text)
    interpreter.add_data({"idp_config": policy_set.data})
    return interpreter


# -- evaluation ----------------------------------------------------------------
_cache: dict[str, tuple[tuple, PolicySet | PolicyError]] = {}
_cache_lock = threading.Lock()


def _fingerprint(root: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def current_policy_set(root: Path = POLICY_DIR) -> PolicySet:
    """The compiled policy set, reloaded when a file changes; PolicySetBroken when it does not compile."""
    fingerprint = _fingerprint(root)
    with _cache_lock:
        cached = _cache.get(str(root))
        if cached is None or cached[0] != fingerprint:
            try:
                cached = (fingerprint, load_policy_set(root))
            except PolicyError as exc:
                cached = (fingerprint, exc)
            _cache[str(root)] = cached
    result = cached[1]
    if isinstance(result, PolicyError):
        raise PolicySetBroken(result.problems)
    return result


def evaluate(stage: str, policy_input: dict, *, root: Path = POLICY_DIR) -> list[dict]:
    """Every violation of every policy of the stage, as result dicts (see module docstring)."""
    policy_set = current_policy_set(root)
    policies = policy_set.stage(stage)
    if not policies:
        return []
    interpreter = _interpreter(policy_set)
    interpreter.set_input(policy_input)
    try:
        output = json.loads(str(interpreter.query(f"x = data.idp.{stage}")))
    except Exception as exc:
        raise PolicySetBroken([f"evaluating {stage} policies failed: {str(exc).strip()[:500]}"]) from None
    packages = output.get("bindings", {}).get("x", {})
    results = []
    for policy in policies:
        short = policy.package.split(".")[2]
        for violation in sorted(
            packages.get(short, {}).get("violations", []), key=lambda v: json.dumps(v, sort_keys=True)
        ):
            results.append(_result(policy, stage, violation))
    return results


def _result(policy: Policy, stage: str, violation) -> dict:
    meta = policy.metadata
    if not isinstance(violation, dict):
        violation = {"message": str(violation)}
    value = violation.get("value")
    return {
        "policy": meta["id"],
        "title": meta["title"],
        "severity": meta["severity"],
        "stage": stage,
        "rationale": meta.get("rationale", ""),
        "resource": violation.get("resource", ""),
        "attribute": violation.get("attribute", ""),
        "value": value if isinstance(value, str) or value is None else json.dumps(value),
        "message": violation.get("message") or meta["title"],
        "remediation": violation.get("remediation") or meta["remediation"],
        "field": violation.get("field") or meta.get("field") or "",
    }


# -- tests -----------------------------------------------------------------------
@dataclass
class PolicyTestReport:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # policies without both kinds of case

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing


def run_policy_tests(root: Path = POLICY_DIR) -> PolicyTestReport:
    policy_set = load_policy_set(root)
    interpreter = _interpreter(policy_set)
    fixtures = {}
    for path in sorted((root / "tests" / "fixtures").glob("*.json")):
        fixtures[path.stem] = json.loads(path.read_text())
    interpreter.add_data({"fixtures": fixtures})
    report = PolicyTestReport()
    covered: dict[str, set[str]] = {}
    test_sources = {}
    for path in sorted((root / "tests").glob("*.rego")):
        test_sources[_relative(path, root)] = path.read_text()
    for name, text in test_sources.items():
        interpreter.add_module(name, text)
    for name, text in test_sources.items():
        package = PACKAGE_RE.search(text)
        if not package:
            report.failed.append(f"{name}: no package declaration")
            continue
        expected = TEST_RULE_RE.findall(text)
        try:
            output = json.loads(str(interpreter.query(f"x = data.{package.group(1)}")))
        except Exception as exc:
            raise PolicyError(_compile_problems(exc, {**policy_set.sources, **test_sources})) from None
        passed = output.get("bindings", {}).get("x", {})
        target = package.group(1).removesuffix("_test")
        for test in dict.fromkeys(expected):
            label = f"{package.group(1)}.{test}"
            (report.passed if passed.get(test) is True else report.failed).append(label)
            kind = "allows" if test.startswith("test_allows") else "denies" if test.startswith("test_denies") else ""
            if kind:
                covered.setdefault(target, set()).add(kind)
    for policy in policy_set.policies:
        kinds = covered.get(policy.package, set())
        if kinds != {"allows", "denies"}:
            report.missing.append(
                f"{_relative(policy.path, root)}: needs test_allows_* and test_denies_* cases (has {sorted(kinds) or 'none'})"
            )
    return report
