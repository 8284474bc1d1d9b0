"""Read a request file, keeping the line of every key so that each problem reads `file:line: field: message`.

apiVersion: idp/v1
kind: Environment
metadata: {team: payments, name: box}
spec: {pattern: dev-environment, version: 1.0.0, tier: dev, size: small, parameters: {...}, ttl_days: 5}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

API_VERSION = "idp/v1"
KIND = "Environment"
MAX_BYTES = 64 * 1024
TOP_KEYS = ("apiVersion", "kind", "metadata", "spec")
METADATA_KEYS = ("team", "name")
SPEC_KEYS = ("pattern", "version", "tier", "size", "parameters", "ttl_days", "application", "reason")
REQUIRED = {"metadata": ("team", "name"), "spec": ("pattern",)}
TEXT_FIELDS = {"metadata": ("team", "name"), "spec": ("pattern", "version", "tier", "size", "application", "reason")}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {where}{self.message}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "field": self.field, "message": self.message,
                "severity": self.severity, "text": str(self)}  # fmt: skip


@dataclass
class RequestFile:
    path: str
    team: str = ""
    name: str = ""
    pattern: str = ""
    version: str = ""
    tier: str = ""
    size: str = ""
    parameters: dict = field(default_factory=dict)
    ttl_days: int | None = None
    application: str = ""
    reason: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # "spec.parameters.volume_size_gb" -> line
    soft: list[Problem] = field(default_factory=list)  # errors that leave the rest of the file readable

    def line_of(self, key: str) -> int:
        """The line of `key` or of the nearest enclosing key the file has (1 when none)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1

    def problem(self, key: str, message: str, severity: str = "error") -> Problem:
        return Problem(self.path, self.line_of(key), key, message, severity)

    def key_of_field(self, name: str) -> str:
        """Where an action's error field lives in the file: portal fields, or a parameter (set by the
        file, or by its size preset when the file does not set it)."""
        if name in METADATA_KEYS:
            return f"metadata.{name}"
        if name in SPEC_KEYS:
            return f"spec.{name}"
        if name in ("__all__", "", None):
            return "spec"
        if f"spec.parameters.{name}" in self.lines or not self.size:
            return f"spec.parameters.{name}"
        return "spec.size"

    def problems_from(self, errors: dict[str, list[str]]) -> list[Problem]:
        """An action's {field: [messages]} as problems at the file's lines."""
        found = []
        for name, messages in errors.items():
            key = self.key_of_field(name)
            for message in messages:
                found.append(self.problem(key, message))
        return found


def parse(path: str, text: str) -> tuple[RequestFile | None, list[Problem]]:
    """The request file in `text`, or None and what to fix (each with its line)."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        return None, [
            Problem(path, 1, "", f"The file is larger than {MAX_BYTES // 1024} KiB; a request file is small.")
        ]
    if "\x00" in text:
        return None, [Problem(path, 1, "", "The file contains NUL characters; save it as UTF-8 text.")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(path, line, "", f"Not valid YAML: {exc.problem or exc.context}.")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, "", f"Not valid YAML: {exc}.")]
    request = RequestFile(path=path)
    if root is None:
        return None, [request.problem("", "The file is empty; it must describe one environment (kind: Environment).")]
    problems: list[Problem] = []
    top = _mapping(request, root, "", problems, TOP_KEYS)
    if top is None:
        return None, problems
    version_node = top.get("apiVersion")
    if version_node is None:
        problems.append(request.problem("apiVersion", f"Missing: add `apiVersion: {API_VERSION}` at the top."))
    elif _scalar_text(version_node) != API_VERSION:
        problems.append(request.problem("apiVersion", f"Must be {API_VERSION}, not {_scalar_text(version_node)!r}."))
    kind_node = top.get("kind")
    if kind_node is None:
        problems.append(request.problem("kind", f"Missing: add `kind: {KIND}`."))
    elif _scalar_text(kind_node) != KIND:
        problems.append(request.problem("kind", f"Must be {KIND}, not {_scalar_text(kind_node)!r}."))
    sections = {}
    for section, keys in (("metadata", METADATA_KEYS), ("spec", SPEC_KEYS)):
        node = top.get(section)
        if node is None:
            problems.append(request.problem("", f"Missing `{section}:` ({', '.join(keys)})."))
            continue
        sections[section] = _mapping(request, node, section, problems, keys)
    for section, nodes in sections.items():
        if nodes is None:
            continue
        for key in REQUIRED[section]:
            if key not in nodes:
                problems.append(request.problem(section, f"Missing `{key}:` under {section}."))
        for key in TEXT_FIELDS[section]:
            if key in nodes:
                value = _text(request, nodes[key], f"{section}.{key}", problems)
                if value is not None:
                    setattr(request, key, value)
    spec = sections.get("spec") or {}
    if "ttl_days" in spec:
        request.ttl_days = _whole_number(request, spec["ttl_days"], problems)
    if "parameters" in spec:
        request.parameters = _parameters(request, spec["parameters"], problems)
    # Unknown and repeated keys leave the rest readable: it is still checked, so one run shows every problem.
    hard = [p for p in problems if p.severity == "error" and p not in request.soft]
    return (None if hard else request), problems


def _mapping(request: RequestFile, node, key: str, problems: list[Problem], allowed) -> dict | None:
    """{key: value node} of a mapping node; unknown and repeated keys are problems."""
    where = key or "the file"
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(request.path, node.start_mark.line + 1, key, f"{key or 'The file'} must be a mapping of keys.")
        )
        return None
    found = {}
    for key_node, value_node in node.value:
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        full = f"{key}.{name}" if key else str(name)
        line = key_node.start_mark.line + 1
        if name is None:
            problems.append(Problem(request.path, line, key, "Keys must be plain names."))
        elif name in found:
            request.soft.append(Problem(request.path, line, full, f"`{name}` is given twice; keep one."))
            problems.append(request.soft[-1])
        elif allowed is not None and name not in allowed:
            request.soft.append(Problem(request.path, line, full, f"Unknown key `{name}`; {where} takes "
                                        f"{', '.join(allowed)}."))  # fmt: skip
            problems.append(request.soft[-1])
        else:
            found[name] = value_node
            request.lines[full] = line
    return found


def _scalar_text(node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"


def _text(request: RequestFile, node, key: str, problems: list[Problem]) -> str | None:
    # The scalar's own text: `version: 1.10` stays "1.10" instead of the number 1.1.
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        problems.append(request.problem(key, "Must be a single value (text)."))
        return None
    value = node.value.strip()
    if not value:
        problems.append(request.problem(key, "Must not be empty."))
        return None
    if any(ord(c) < 32 for c in value):
        problems.append(request.problem(key, "Must be a single line without control characters."))
        return None
    return value


def _whole_number(request: RequestFile, node, problems: list[Problem]) -> int | None:
    value = _construct(node)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(request.problem("spec.ttl_days", "Must be a whole number of days, e.g. 7."))
        return None
    return value


def _parameters(request: RequestFile, node, problems: list[Problem]) -> dict:
    nodes = _mapping(request, node, "spec.parameters", problems, None)
    if nodes is None:
        return {}
    values = {}
    for name, value_node in nodes.items():
        value = _construct(value_node)
        if not _json_value(value):
            problems.append(request.problem(f"spec.parameters.{name}", "Must be text, a number, true/false or a "
                                            "list of them (dates and nested mappings are not values)."))  # fmt: skip
            continue
        values[name] = value
    return values


def _construct(node):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _json_value(value) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list):
        return all(value_item is not None and not isinstance(value_item, list | dict) and _json_value(value_item)
                   for value_item in value)  # fmt: skip
    return False
