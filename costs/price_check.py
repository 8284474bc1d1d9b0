"""Prove that no shipped pattern can create something the price book cannot price.

Two checks per pattern folder (patterns/<slug>/pattern.yaml and its terraform/ module):

- every `resource "TYPE"` of the module is in costs.estimate.PRICED_TYPES (priced, or known free);
  a module block sourced from outside the folder is refused, as what it creates cannot be read here;
- the live quote of pattern.yaml `costs.resources` is computed for every value its `$parameters`
  can take (enum, oneOf/anyOf const, both booleans), crossed with every region of the `region`
  parameter and every tier; any line the estimate cannot price (`Estimate.unknown`) is a problem.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.pattern_files import RESOURCE_RE, PatternSpec, discover
from costs.estimate import PRICED_TYPES
from costs.prices import PriceBook
from costs.quote import quote, resolve

# A top-level block ends at the first "}" in column 0 (terraform fmt style), after any nested blocks.
MODULE_BLOCK_RE = re.compile(r'^module\s+"?([A-Za-z0-9_-]+)"?\s*\{(?P<body>.*?)^\}', re.MULTILINE | re.DOTALL)
SOURCE_RE = re.compile(r'^\s*source\s*=\s*"([^"]*)"', re.MULTILINE)
LOCAL_SOURCE = ("./", "../")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    patterns: int = 0
    quotes: int = 0


def check(root: Path, book: PriceBook, default_region: str) -> Report:
    report = Report()
    specs, errors = discover(root)
    report.problems += [f"{error} (the pattern cannot be checked)" for error in errors]
    for spec in specs:
        report.patterns += 1
        report.problems += module_problems(spec)
        report.problems += quote_problems(spec, book, default_region, report)
    return report


def module_problems(spec: PatternSpec) -> list[str]:
    problems = []
    for name, text in sorted(spec.module_files.items()):
        where = f"{spec.source_path}/terraform/{name}"
        resources, modules = _blocks(name, text)
        for kind, label in resources:
            if kind not in PRICED_TYPES:
                problems.append(
                    f'{where}: resource "{kind}" "{label}" has no price: add a pricer to costs/estimate.py '
                    "(PRICERS), or add the type to FREE if AWS does not bill for it"
                )
        for label, source in modules:
            if not source.startswith(LOCAL_SOURCE):
                problems.append(
                    f'{where}: module "{label}" comes from "{source}"; what it creates cannot be checked for '
                    "prices: copy it into the pattern's terraform/ folder"
                )
    return problems


def _blocks(name: str, text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(resource type, name) and (module name, source) declared in one module file."""
    if name.endswith(".tf"):
        resources = [(m.group(1), m.group(2)) for m in RESOURCE_RE.finditer(text)]
        modules = []
        for block in MODULE_BLOCK_RE.finditer(text):
            source = SOURCE_RE.search(block["body"])
            modules.append((block.group(1), source.group(1) if source else ""))
        return resources, modules
    if name.endswith(".tf.json"):
        try:
            data = json.loads(text)
        except ValueError:
            return [], []  # terraform reports the syntax error; sync_catalogue already read the file
        blocks = data if isinstance(data, list) else [data]
        resources = [
            (kind, label)
            for block in blocks
            for by_type in _as_list(block.get("resource"))
            for kind, by_name in by_type.items()
            for label in by_name
        ]
        modules = [
            (label, str(body.get("source", "")))
            for block in blocks
            for by_name in _as_list(block.get("module"))
            for label, body in by_name.items()
        ]
        return resources, modules
    return [], []


def _as_list(value) -> list[dict]:
    return [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)]


def quote_problems(spec: PatternSpec, book: PriceBook, default_region: str, report: Report) -> list[str]:
    declared = (spec.cost_model or {}).get("resources") or []
    if not declared:
        return []
    where = f"{spec.source_path}/pattern.yaml"
    properties = spec.parameters_schema.get("properties") or {}
    asked = _Asked()
    resolve(declared, asked)
    referenced = sorted(asked.names - {"region"})
    problems, axes = [], {}
    for name in [*referenced, "region"]:
        schema = properties.get(name)
        if schema is None:  # no region parameter: the portal's default region
            axes[name] = [default_region]
            continue
        values = choices(schema)
        if values is None:
            problems.append(
                f"{where}: parameters.{name} can take any value, so check_prices cannot try each one: give it "
                "an enum or oneOf with const"
            )
            continue
        axes[name] = values
    if problems:
        return problems
    defaults = {name: schema.get("default") for name, schema in properties.items()}
    seen = set()
    for combination in itertools.product(*axes.values()):
        values = dict(zip(axes, combination, strict=True))
        for tier in spec.tiers:
            estimate = quote(spec.cost_model, {**defaults, **values}, tier=tier, region=values["region"], book=book)
            report.quotes += 1
            for line in estimate.lines:
                for component in (c for c in line.components if c.unknown):
                    shown = ", ".join(f"{k}={v}" for k, v in values.items() if k != "region")
                    message = (
                        f"{where}: {line.address} {component.name}"
                        + (f" with {shown}" if shown else "")
                        + f" in {values['region']}: {component.unit}"
                    )
                    if message not in seen:
                        seen.add(message)
                        problems.append(message)
    return problems


def choices(schema: dict) -> list | None:
    """Every value a parameter can take that can change a price; None when it is open-ended text."""
    if "enum" in schema:
        return list(schema["enum"])
    options = schema.get("oneOf") or schema.get("anyOf") or []
    consts = [option["const"] for option in options if isinstance(option, dict) and "const" in option]
    if consts:
        return consts
    if schema.get("type") == "boolean":
        return [False, True]
    if schema.get("type") in ("integer", "number", "array", "object"):
        # Quantities (sizes, counts) scale a price but never pick one: one value shows the price exists.
        return [schema.get("default", schema.get("minimum", 0))]
    return None


class _Asked(dict):
    """Parameters that remember which names were read: the quote's own resolver says what it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def get(self, key, default=None):
        self.names.add(key)
        return default
