"""Read and validate pattern folders (`patterns/<slug>/pattern.yaml` + `terraform/`).

Plain Python: no database. Every problem found becomes a `PatternFileError`
naming the file, the field and what to change; the loader reports them all at
once so a platform engineer fixes a broken catalogue in one pass.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from catalogue.choices import Category, DataClassification
from catalogue.parameters import RESERVED_NAMES, SUPPORTED_TYPES, validate_parameters
from governance.choices import Tier

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
PARAMETER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# HCL block labels may be quoted or bare identifiers: `provider "aws" {` and `provider aws {` are the same block.
RESOURCE_RE = re.compile(r'^\s*resource\s+"?([A-Za-z0-9_]+)"?\s+"?([A-Za-z0-9_-]+)"?', re.MULTILINE)
VARIABLE_RE = re.compile(r'^\s*variable\s+"?([A-Za-z0-9_]+)"?', re.MULTILINE)
FORBIDDEN_BLOCK_RE = re.compile(
    r'^\s*((?:provider|backend)\s+(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_-]*(?=\s*\{)))', re.MULTILINE
)
MODULE_SUFFIXES = (".tf", ".tf.json", ".tftpl", ".md")
MAX_MODULE_FILE_BYTES = 256 * 1024
# Every module receives these from the portal, beside the pattern's own parameters.
PORTAL_VARIABLES = ("name", "tier", "tags")
# Optional, set only by the portal's decommission (to lift deletion protection): never a parameter.
RESERVED_VARIABLES = ("decommissioning",)

REQUIRED_KEYS = {
    "name": str,
    "version": str,
    "summary": str,
    "category": str,
    "data_classification": str,
    "tiers": dict,
    "parameters": dict,
}
OPTIONAL_KEYS = {"slug": str, "description": str, "costs": dict, "aliases": list, "sizes": dict}
SIZE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
RESOURCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+$")
USAGE_QUANTITY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PatternFileError:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.reason}"


@dataclass
class PatternSpec:
    slug: str
    name: str
    version: str
    summary: str
    description: str
    category: str
    data_classification: str
    tiers: dict
    parameters_schema: dict
    module_files: dict[str, str]
    resources: list[dict]
    checksum: str
    source_path: str
    cost_model: dict = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    sizes: dict[str, dict] = field(default_factory=dict)
    errors: list[PatternFileError] = field(default_factory=list)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def discover(root: Path) -> tuple[list[PatternSpec], list[PatternFileError]]:
    """Read every pattern folder under `root`; return the valid specs and all errors."""
    errors: list[PatternFileError] = []
    if not root.is_dir():
        return [], [PatternFileError(str(root), "", "is not a folder of patterns")]
    specs: list[PatternSpec] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        spec, folder_errors = read_pattern(folder)
        errors.extend(folder_errors)
        if spec is not None:
            specs.append(spec)
    seen: dict[str, str] = {}
    for spec in specs:
        yaml_path = f"{spec.source_path}/pattern.yaml"
        if spec.slug in seen:
            errors.append(
                PatternFileError(
                    yaml_path, "slug", f"'{spec.slug}' is already used by {seen[spec.slug]}; slugs must be unique"
                )
            )
        else:
            seen[spec.slug] = yaml_path
    # An alias is one more name for one pattern: it may clash with no slug and no other alias.
    for spec in specs:
        yaml_path = f"{spec.source_path}/pattern.yaml"
        for alias in spec.aliases:
            if alias in seen:
                errors.append(
                    PatternFileError(
                        yaml_path, "aliases", f"'{alias}' is already the name of {seen[alias]}; choose another alias"
                    )
                )
            else:
                seen[alias] = yaml_path
    return specs, errors


def read_pattern(folder: Path) -> tuple[PatternSpec | None, list[PatternFileError]]:
    yaml_path = folder / "pattern.yaml"
    shown = str(yaml_path)
    if folder.is_symlink():
        return None, [PatternFileError(str(folder), "", "is a symbolic link; pattern folders must be real folders")]
    if not yaml_path.is_file():
        return None, [PatternFileError(shown, "", "is missing; every pattern folder needs a pattern.yaml")]
    text = yaml_path.read_text(encoding="utf-8", errors="replace")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [PatternFileError(shown, where, f"is not valid YAML: {problem}")]
    if not isinstance(data, dict):
        return None, [PatternFileError(shown, "", "must be a YAML mapping of keys such as name, version, parameters")]

    errors = _check_keys(shown, data)
    if errors:
        return None, errors
    slug = data.get("slug", folder.name)
    if not SLUG_RE.match(slug or ""):
        errors.append(
            PatternFileError(
                shown, "slug", f"'{slug}' may only contain lower-case letters, digits and inner hyphens (max 50)"
            )
        )
    if not VERSION_RE.match(data["version"]):
        errors.append(
            PatternFileError(shown, "version", f"'{data['version']}' must look like 1.2.0 (MAJOR.MINOR.PATCH)")
        )
    if data["category"] not in Category.values:
        errors.append(
            PatternFileError(shown, "category", f"'{data['category']}' must be one of {', '.join(Category.values)}")
        )
    if data["data_classification"] not in DataClassification.values:
        errors.append(
            PatternFileError(
                shown,
                "data_classification",
                f"'{data['data_classification']}' must be one of {', '.join(DataClassification.values)}",
            )
        )
    for key, limit in (("name", 120), ("summary", 300)):
        if not data[key].strip() or len(data[key]) > limit:
            errors.append(PatternFileError(shown, key, f"must be between 1 and {limit} characters"))
    errors += _check_tiers(shown, data["tiers"])
    errors += _check_parameters(shown, data["parameters"])
    errors += _check_costs(shown, data.get("costs"), data["parameters"], data["tiers"])
    errors += _check_aliases(shown, data.get("aliases") or [], slug)
    if not errors:
        errors += _check_sizes(shown, data.get("sizes") or {}, data["parameters"])
    module_files, module_errors = _read_module(folder)
    errors += module_errors
    if module_files and not errors:
        errors += _check_module_interface(folder, module_files, data["parameters"])
    if errors:
        return None, errors

    digest = hashlib.sha256(text.encode())
    for path in sorted(module_files):
        digest.update(path.encode() + b"\0" + module_files[path].encode() + b"\0")
    resources = [
        {"type": m.group(1), "name": m.group(2)}
        for path in sorted(module_files)
        for m in RESOURCE_RE.finditer(module_files[path])
    ]
    return (
        PatternSpec(
            slug=slug,
            name=data["name"].strip(),
            version=data["version"],
            summary=data["summary"].strip(),
            description=data.get("description", "").strip(),
            category=data["category"],
            data_classification=data["data_classification"],
            tiers=data["tiers"],
            parameters_schema=data["parameters"],
            module_files=module_files,
            resources=resources,
            checksum=digest.hexdigest(),
            source_path=str(folder),
            cost_model=data.get("costs") or {},
            aliases=list(data.get("aliases") or []),
            sizes=data.get("sizes") or {},
        ),
        [],
    )


def _check_keys(shown: str, data: dict) -> list[PatternFileError]:
    errors = []
    for key, kind in REQUIRED_KEYS.items():
        if key not in data:
            errors.append(PatternFileError(shown, key, "is required"))
        elif not isinstance(data[key], kind):
            errors.append(PatternFileError(shown, key, f"must be a {_kind_name(kind)}"))
    for key, kind in OPTIONAL_KEYS.items():
        if key in data and not isinstance(data[key], kind):
            errors.append(PatternFileError(shown, key, f"must be a {_kind_name(kind)}"))
    known = set(REQUIRED_KEYS) | set(OPTIONAL_KEYS)
    for key in sorted(set(data) - known, key=str):
        errors.append(
            PatternFileError(shown, str(key), f"is not a known key; allowed keys: {', '.join(sorted(known))}")
        )
    return errors


def _kind_name(kind: type) -> str:
    return {str: "text", dict: "mapping", list: "list", int: "whole number"}[kind]


def _check_tiers(shown: str, tiers: dict) -> list[PatternFileError]:
    errors = []
    if not tiers:
        return [PatternFileError(shown, "tiers", f"must allow at least one of {', '.join(Tier.values)}")]
    for tier, rules in tiers.items():
        where = f"tiers.{tier}"
        if tier not in Tier.values:
            errors.append(PatternFileError(shown, where, f"'{tier}' is not a tier; use {', '.join(Tier.values)}"))
            continue
        if not isinstance(rules, dict) or set(rules) - {"default_ttl_days", "max_ttl_days"}:
            errors.append(PatternFileError(shown, where, "must be a mapping with default_ttl_days and max_ttl_days"))
            continue
        default, maximum = rules.get("default_ttl_days"), rules.get("max_ttl_days")
        for key, value in (("default_ttl_days", default), ("max_ttl_days", maximum)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                errors.append(
                    PatternFileError(shown, f"{where}.{key}", "must be a whole number of days (1 or more) or null")
                )
        if isinstance(default, int) and isinstance(maximum, int) and default > maximum:
            errors.append(
                PatternFileError(shown, f"{where}.default_ttl_days", f"{default} is above max_ttl_days {maximum}")
            )
        if maximum is not None and default is None:
            errors.append(PatternFileError(shown, f"{where}.default_ttl_days", "is required when max_ttl_days is set"))
    return errors


def _check_aliases(shown: str, aliases: list, slug: str) -> list[PatternFileError]:
    errors = []
    for index, alias in enumerate(aliases):
        where = f"aliases[{index}]"
        if not isinstance(alias, str) or not SLUG_RE.match(alias):
            errors.append(
                PatternFileError(shown, where, f"{alias!r} must be a name like app-environment (lower-case, hyphens)")
            )
        elif alias == slug or aliases.index(alias) != index:
            errors.append(PatternFileError(shown, where, f"'{alias}' is listed twice or is the pattern's own slug"))
    return errors


def _check_sizes(shown: str, sizes: dict, schema: dict) -> list[PatternFileError]:
    """Each size preset names parameter values that the parameter schema itself accepts."""
    errors = []
    properties = schema["properties"]
    for size, values in sizes.items():
        where = f"sizes.{size}"
        if not isinstance(size, str) or not SIZE_NAME_RE.match(size):
            errors.append(PatternFileError(shown, where, "size names are short lower-case words such as small"))
            continue
        if not isinstance(values, dict) or not values:
            errors.append(
                PatternFileError(shown, where, "must map parameter names to values, e.g. instance_type: t3.micro")
            )
            continue
        for name in values:
            if name not in properties:
                errors.append(PatternFileError(shown, f"{where}.{name}", "is not a parameter of this pattern"))
        known = {name: value for name, value in values.items() if name in properties}
        checked = {"type": "object", "properties": {name: properties[name] for name in known}}
        for name, messages in validate_parameters(checked, known).items():
            for message in messages:
                errors.append(PatternFileError(shown, f"{where}.{name}", f"is not a valid value: {message}"))
    return errors


def _check_parameters(shown: str, schema: dict) -> list[PatternFileError]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "parameters" + "".join(f".{p}" for p in exc.path)
        return [PatternFileError(shown, where, f"is not valid JSON Schema: {exc.message}")]
    errors = []
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        return [PatternFileError(shown, "parameters", "must be a JSON Schema with type: object and properties")]
    if schema.get("additionalProperties", True) is not False:
        errors.append(
            PatternFileError(shown, "parameters.additionalProperties", "must be false so unknown inputs are refused")
        )
    for name in schema.get("required", []):
        if name not in schema["properties"]:
            errors.append(PatternFileError(shown, "parameters.required", f"names '{name}', which is not a property"))
    for name, prop in schema["properties"].items():
        where = f"parameters.properties.{name}"
        if not PARAMETER_NAME_RE.match(name):
            errors.append(
                PatternFileError(shown, where, "names must be lower_snake_case (letters, digits, underscores)")
            )
        if name in RESERVED_NAMES:
            errors.append(PatternFileError(shown, where, f"'{name}' is set by the portal; choose another name"))
        if not isinstance(prop, dict):
            errors.append(PatternFileError(shown, where, "must be a JSON Schema mapping"))
            continue
        kind = prop.get("type")
        if kind not in SUPPORTED_TYPES:
            errors.append(PatternFileError(shown, f"{where}.type", f"must be one of {', '.join(SUPPORTED_TYPES)}"))
            continue
        if not prop.get("title"):
            errors.append(PatternFileError(shown, f"{where}.title", "is required: it is the form label"))
        if kind == "array" and prop.get("items", {}).get("type") not in ("string", "integer"):
            errors.append(PatternFileError(shown, f"{where}.items.type", "arrays must hold strings or integers"))
        for place, regex in (
            (where, prop.get("pattern")),
            (f"{where}.items", (prop.get("items") or {}).get("pattern")),
        ):
            if isinstance(regex, str) and "\\d" in regex:
                errors.append(
                    PatternFileError(
                        shown,
                        f"{place}.pattern",
                        "uses \\d, which also matches digits of other scripts (e.g. ٣); use [0-9]",
                    )
                )
        if "default" in prop:
            problems = validate_parameters({"type": "object", "properties": {name: prop}}, {name: prop["default"]})
            for message in problems.get(name, []):
                errors.append(
                    PatternFileError(shown, f"{where}.default", f"does not satisfy its own schema: {message}")
                )
    return errors


def _check_costs(shown: str, costs, schema: dict, tiers: dict) -> list[PatternFileError]:
    """The shape of `costs:` (what the live quote prices); whether the prices exist is `check_prices`'s job."""
    if costs is None:
        return []
    errors = []
    unknown = sorted(set(costs) - {"resources", "usage"})
    if unknown:
        errors.append(PatternFileError(shown, "costs", f"unknown key(s) {', '.join(unknown)}; use resources and usage"))
    resources = costs.get("resources", [])
    if not isinstance(resources, list):
        return [*errors, PatternFileError(shown, "costs.resources", "must be a list of {type: ..., attribute: value}")]
    parameters = set((schema.get("properties") or {}) if isinstance(schema, dict) else {})
    for index, resource in enumerate(resources):
        where = f"costs.resources[{index}]"
        if not isinstance(resource, dict) or not RESOURCE_TYPE_RE.match(str(resource.get("type", ""))):
            errors.append(PatternFileError(shown, where, "needs a `type` such as aws_db_instance"))
            continue
        for reference in sorted(_references(resource)):
            if reference not in parameters:
                errors.append(PatternFileError(shown, where, f"${reference} is not a parameter of this pattern"))
    usage = costs.get("usage", {})
    if not isinstance(usage, dict):
        return [
            *errors,
            PatternFileError(shown, "costs.usage", "must map tiers to {resource type: {quantity: amount}}"),
        ]
    for tier, by_type in usage.items():
        where = f"costs.usage.{tier}"
        if tier not in tiers:
            errors.append(PatternFileError(shown, where, f"'{tier}' is not a tier of this pattern"))
        for kind, quantities in (by_type or {}).items() if isinstance(by_type, dict) else [(None, None)]:
            if kind is None or not isinstance(quantities, dict):
                errors.append(PatternFileError(shown, where, "must map resource types to {quantity: amount}"))
                continue
            for name, amount in quantities.items():
                if (
                    not USAGE_QUANTITY_RE.match(str(name))
                    or isinstance(amount, bool)
                    or not isinstance(amount, int | float)
                    or amount < 0
                ):
                    errors.append(PatternFileError(shown, f"{where}.{kind}.{name}", "must be a number of 0 or more"))
    return errors


def _references(value) -> set[str]:
    """Parameter names referenced as `$name` anywhere in a declared resource."""
    if isinstance(value, str) and value.startswith("$"):
        return {value[1:]}
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    return set()


def _read_module(folder: Path) -> tuple[dict[str, str], list[PatternFileError]]:
    module_dir = folder / "terraform"
    shown = str(module_dir)
    if not module_dir.is_dir() or module_dir.is_symlink():
        return {}, [PatternFileError(shown, "", "is missing; put the pattern's Terraform module in terraform/")]
    files: dict[str, str] = {}
    errors: list[PatternFileError] = []
    for path in sorted(module_dir.rglob("*")):
        relative = path.relative_to(module_dir).as_posix()
        if path.is_symlink():
            errors.append(PatternFileError(f"{shown}/{relative}", "", "is a symbolic link; copy the file instead"))
            continue
        if path.is_dir() or any(part.startswith(".") for part in path.relative_to(module_dir).parts):
            continue
        if not relative.endswith(MODULE_SUFFIXES):
            errors.append(
                PatternFileError(
                    f"{shown}/{relative}", "", f"is not a module file; allowed: {', '.join(MODULE_SUFFIXES)}"
                )
            )
            continue
        if path.stat().st_size > MAX_MODULE_FILE_BYTES:
            errors.append(PatternFileError(f"{shown}/{relative}", "", "is larger than 256 KiB"))
            continue
        try:
            files[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            errors.append(PatternFileError(f"{shown}/{relative}", "", "is not UTF-8 text"))
    if not errors and not any(name.endswith((".tf", ".tf.json")) for name in files):
        errors.append(PatternFileError(shown, "", "holds no .tf file"))
    return files, errors


def _check_module_interface(folder: Path, files: dict[str, str], schema: dict) -> list[PatternFileError]:
    shown = str(folder / "terraform")
    errors = []
    declared = {m.group(1) for text in files.values() for m in VARIABLE_RE.finditer(text)}
    for name in list(PORTAL_VARIABLES) + list(schema["properties"]):
        if name not in declared:
            errors.append(PatternFileError(shown, f'variable "{name}"', "is not declared; the module must accept it"))
    for name in set(RESERVED_VARIABLES) & set(schema["properties"]):
        errors.append(
            PatternFileError(
                shown, f"parameters.{name}", "is reserved: the portal sets it to lift deletion protection; rename it"
            )
        )
    for path, text in files.items():
        match = FORBIDDEN_BLOCK_RE.search(text)
        block = match.group(1) if match and path.endswith(".tf") else None
        if path.endswith(".tf.json"):
            block = _forbidden_json_block(text)
        if block:
            errors.append(
                PatternFileError(
                    f"{shown}/{path}",
                    block,
                    "is not allowed in a pattern: the portal generates providers and state",
                )
            )
    return errors


def _forbidden_json_block(text: str) -> str | None:
    """`provider` or a state `backend` in a module file written in Terraform's JSON syntax."""
    try:
        data = json.loads(text)
    except ValueError:
        return None  # not our concern here: terraform reports the syntax error
    if not isinstance(data, dict):
        return None
    if "provider" in data:
        return "provider"
    settings = data.get("terraform")
    for block in settings if isinstance(settings, list) else [settings]:
        if isinstance(block, dict) and ("backend" in block or "cloud" in block):
            return "terraform.backend" if "backend" in block else "terraform.cloud"
    return None
