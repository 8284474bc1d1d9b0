"""Validate request parameters against a pattern version's JSON Schema.

One function serves every door (the forms and the actions behind them), so a
value is judged the same way whichever door it came through. Messages say what
to change, in the words of the form rather than of JSON Schema.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "array")
# Set by the portal for every environment; a pattern cannot declare them as parameters.
RESERVED_NAMES = frozenset(
    {"name", "tier", "tags", "ttl_days", "team", "environment", "expires_on", "reason", "pattern_version"}
)
# Template and shell syntax. Values only ever reach Terraform through .tfvars.json
# (never evaluated), but a module might interpolate them into a script or a
# policy document, so free text is refused unless the schema opts in.
UNSAFE_SEQUENCES = (("${", "${"), ("%{", "%{"), ("`", "backticks"), (";", ";"), ("$(", "$("))
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
FREE_TEXT_FLAG = "x-free-text"

NON_FIELD = "__all__"
BOUND_MESSAGES = {
    "const": "Must be {arg}.",
    "minimum": "Enter a value of at least {arg}.",
    "maximum": "Enter a value of at most {arg}.",
    "exclusiveMinimum": "Enter a value greater than {arg}.",
    "exclusiveMaximum": "Enter a value less than {arg}.",
    "multipleOf": "Enter a multiple of {arg}.",
}
LIST_MESSAGES = {
    "minItems": "Choose at least {arg}.",
    "maxItems": "Choose at most {arg}.",
    "uniqueItems": "Remove the duplicate entries.",
}


def validate_parameters(schema: dict, values: Any) -> dict[str, list[str]]:
    """Return {field: [messages]}; empty when the values are valid."""
    if not isinstance(values, dict):
        return {NON_FIELD: ["Parameters must be a mapping of field names to values."]}
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(values), key=lambda e: list(e.path)):
        name, message = _describe(error, schema)
        errors.setdefault(name, [])
        if message not in errors[name]:
            errors[name].append(message)
    properties = schema.get("properties", {})
    for name, value in values.items():
        prop = properties.get(name)
        if not isinstance(prop, dict) or prop.get(FREE_TEXT_FLAG) or name in errors:
            continue
        message = unsafe_text_message(value)
        if message:
            errors.setdefault(name, []).append(message)
    return errors


def unsafe_text_message(value: Any) -> str | None:
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        if CONTROL_CHARACTERS.search(text):
            return "Remove line breaks and control characters: this field takes a single line."
        for sequence, label in UNSAFE_SEQUENCES:
            if sequence in text:
                return f"Remove {label}: template and shell syntax is not allowed in this field."
    return None


def _describe(error: ValidationError, schema: dict) -> tuple[str, str]:
    path = list(error.path)
    name = str(path[0]) if path else NON_FIELD
    prop = schema.get("properties", {}).get(name, {}) if path else {}
    if len(path) > 1 and isinstance(prop, dict):
        prop = prop.get("items", {})
    keyword, arg = error.validator, error.validator_value
    item = f"Item {path[1] + 1}: " if len(path) > 1 and isinstance(path[1], int) else ""

    if keyword == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        return (missing.group(1) if missing else NON_FIELD), "This field is required."
    if keyword == "additionalProperties":
        allowed = ", ".join(sorted(schema.get("properties", {})))
        extras = re.findall(r"'([^']+)'", error.message)
        unknown = ", ".join(extras) if extras else "some fields"
        return NON_FIELD, f"Unknown parameter {unknown}: this pattern accepts {allowed}."
    if keyword == "type":
        return name, item + f"Enter {_type_phrase(arg)}."
    if keyword == "enum":
        return name, item + f"Choose one of: {', '.join(str(v) for v in arg)}."
    if keyword == "oneOf" and all("const" in option for option in arg):
        return name, item + f"Choose one of: {', '.join(str(o['const']) for o in arg)}."
    if keyword in BOUND_MESSAGES:
        return name, item + BOUND_MESSAGES[keyword].format(arg=arg)
    if keyword == "minLength":
        return name, item + f"Use at least {arg} character{'s' if arg != 1 else ''}."
    if keyword == "maxLength":
        return name, item + f"Use at most {arg} characters (this has {len(error.instance)})."
    if keyword == "pattern":
        hint = prop.get("x-pattern-message") if isinstance(prop, dict) else None
        return name, item + (hint or f"Use the format {arg}.")
    if keyword in LIST_MESSAGES:
        return name, LIST_MESSAGES[keyword].format(arg=arg)
    return name, item + error.message


def _type_phrase(kind: Any) -> str:
    phrases = {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "yes or no",
        "array": "a list",
        "object": "a mapping",
    }
    if isinstance(kind, list):
        return " or ".join(phrases.get(k, k) for k in kind)
    return phrases.get(kind, str(kind))


def defaults(schema: dict) -> dict:
    return {name: prop["default"] for name, prop in schema.get("properties", {}).items() if "default" in prop}


def choices(prop: dict) -> list[tuple[Any, str]] | None:
    """(value, label) pairs of an enum, or of a oneOf list of const/title options."""
    if "enum" in prop:
        labels = prop.get("x-enum-labels", {})
        return [(value, labels.get(str(value), str(value))) for value in prop["enum"]]
    if "oneOf" in prop and all(isinstance(o, dict) and "const" in o for o in prop["oneOf"]):
        return [(o["const"], o.get("title", str(o["const"]))) for o in prop["oneOf"]]
    return None
