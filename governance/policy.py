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

from governance import plan_facts, text_codec

# rego-cpp prints compile errors to stdout; we report them ourselves, with file and line.
set_default_log_level("None")

POLICY_DIR = Path(__file__).resolve().parent / "policies"
PACKAGE_RE = re.compile(r"^\s*package\s+([A-Za-z0-9_.]+)", re.MULTILINE)
WITH_RE = re.compile(r"^[^#]*\bwith\s+(input|data)\b")
ERROR_LOCATION_RE = re.compile(r"\(error \d+:([^|\s]+)\|(\d+)\|")
STAGES = ("params", "plan")
SEVERITIES = ("deny", "warn")
REQUIRED_METADATA = ("id", "title", "severity", "rationale", "remediation")
PLAN_KEYS = ("format_version", "terraform_version", "variables", "resource_changes")


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


def load_policy_set(root: Path | None = None) -> PolicySet:
    """Read and compile every policy; raise PolicyError naming file, line and error."""
    root = root or POLICY_DIR
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
        with_line = next((i for i, line in enumerate(text.splitlines(), 1) if WITH_RE.search(line)), None)
        if with_line:
            problems.append(
                f"{name}:{with_line}: `with` is not supported by the embedded Rego engine; read input directly"
            )
            continue
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
        raise PolicyError(_compile_problems(exc, policy_set)) from None
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


def _compile_problems(exc: Exception, policy_set: PolicySet) -> list[str]:
    sources = policy_set.sources
    # regopy cannot parse some engine errors as JSON (an unknown function, a rule defined twice):
    # the JSONDecodeError keeps the engine's text in `doc`.
    text = getattr(exc, "doc", None) or str(exc)
    message = re.search(r"\(errormsg \d+:([^)]*)\)", text)
    reason = message.group(1).strip() if message else (text.strip().splitlines() or [""])[0]
    if reason in ("", "<error>"):
        reason = "the Rego engine refuses this file without saying why (a rule defined twice?)"
    location = ERROR_LOCATION_RE.search(text)
    if location and location.group(1) in sources:
        name, offset = location.group(1), int(location.group(2))
        line = sources[name].count("\n", 0, offset) + 1
        return [f"{name}:{line}: {reason}"]
    return [f"{name}:{_line_of(sources[name], reason)}: {reason}" for name in _culprits(policy_set)] or [
        f"policies: {reason}"
    ]


def _culprits(policy_set: PolicySet) -> list[str]:
    """The engine named no file: compile each policy alone, with the libraries, to find the broken ones."""
    found = []
    for name, text in policy_set.sources.items():
        if name in policy_set.libraries:
            continue
        alone = PolicySet([], policy_set.libraries, {**policy_set.libraries, name: text}, policy_set.data)
        try:
            json.loads(str(_interpreter(alone).query(f"x = data.{PACKAGE_RE.search(text).group(1)}")))
        except Exception:
            found.append(name)
    return found


def _line_of(text: str, reason: str) -> int:
    """The first line naming what the error names ("Function not found: concatt"), else 1."""
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*$", reason.strip())
    lines = [
        i for i, line in enumerate(text.splitlines(), 1) if names and re.search(rf"\b{re.escape(names[0])}\b", line)
    ]
    return lines[0] if lines else 1


def _interpreter(policy_set: PolicySet) -> Interpreter:
    interpreter = Interpreter()
    for name, text in policy_set.sources.items():
        interpreter.add_module(name, text)
    interpreter.add_data(text_codec.encode({"idp_config": policy_set.data}))
    return interpreter


# -- evaluation ----------------------------------------------------------------
_cache: dict[str, tuple[tuple, PolicySet | PolicyError]] = {}
_cache_lock = threading.Lock()


def _fingerprint(root: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def current_policy_set(root: Path | None = None) -> PolicySet:
    """The compiled policy set, reloaded when a file changes; PolicySetBroken when it does not compile."""
    root = root or POLICY_DIR
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


_interpreters = threading.local()


def _cached_interpreter(policy_set: PolicySet) -> Interpreter:
    """One compiled interpreter per thread and policy set: building one costs more than a query."""
    cached = getattr(_interpreters, "entry", None)
    if cached is None or cached[0] is not policy_set:
        cached = (policy_set, _interpreter(policy_set))
        _interpreters.entry = cached
    return cached[1]


def evaluate(stage: str, policy_input: dict, *, root: Path | None = None) -> list[dict]:
    """Every violation of every policy of the stage, as result dicts (see module docstring)."""
    return evaluate_stages((stage,), policy_input, root=root)


def evaluate_stages(stages: tuple[str, ...], policy_input: dict, *, root: Path | None = None) -> list[dict]:
    """Several stages on one input in a single query: rego-cpp's cost is mostly per query, not per rule."""
    root = root or POLICY_DIR
    policy_set = current_policy_set(root)
    stages = tuple(stage for stage in stages if policy_set.stage(stage))
    if not stages:
        return []
    interpreter = _cached_interpreter(policy_set)
    query = "; ".join(f"{stage} = data.idp.{stage}" for stage in stages)
    named = ", ".join(stages)
    if "plan" in stages and isinstance(policy_input.get("plan"), dict):
        # The policies read the resource changes, the variables and the facts derived from the rest;
        # the engine's cost grows with its input, so the configuration and state stay out.
        plan = policy_input["plan"]
        policy_input = {
            **policy_input,
            "plan": {key: plan[key] for key in PLAN_KEYS if key in plan},
            "facts": plan_facts.derive(plan),
        }
    try:
        interpreter.set_input(text_codec.encode(policy_input))
        output = text_codec.decode(json.loads(str(interpreter.query(query))))
    except json.JSONDecodeError as exc:
        raise PolicySetBroken([f"evaluating {named} policies produced unreadable output ({exc})"]) from None
    except Exception as exc:
        raise PolicySetBroken([f"evaluating {named} policies failed: {str(exc).strip()[:500]}"]) from None
    bindings = output.get("bindings", {})
    results = []
    for stage in stages:
        packages = bindings.get(stage, {})
        for policy in policy_set.stage(stage):
            short = policy.package.split(".")[2]
            violations = packages.get(short, {}).get("violations", [])
            for violation in sorted(violations, key=lambda v: json.dumps(v, sort_keys=True)):
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
