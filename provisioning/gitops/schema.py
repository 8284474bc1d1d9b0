"""The JSON Schema of a request file, published at /api/v1/request-files/schema.json for editors
(e.g. `# yaml-language-server: $schema=<portal>/api/v1/request-files/schema.json`). The portal's own
check (`files.parse`, then the pattern's parameter schema) is the one that counts."""

from __future__ import annotations

from provisioning.gitops.files import API_VERSION, KIND

NAME = {
    "type": "string",
    "pattern": "^[a-z][a-z0-9-]{1,22}[a-z0-9]$",
    "description": "Lower-case letters, digits, '-'.",
}


def request_file_schema(url: str = "") -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url or "request-file.schema.json",
        "title": "IDP Portal request file",
        "description": "One environment, requested from Git. `platform validate FILE` checks it against the catalogue.",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": KIND},
            "metadata": {
                "type": "object",
                "additionalProperties": False,
                "required": ["team", "name"],
                "properties": {
                    "team": {"type": "string", "description": "The slug of your team that owns it."},
                    "name": {**NAME, "description": "The environment's name, unique in the team."},
                },
            },
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["pattern"],
                "properties": {
                    "pattern": {"type": "string", "description": "A catalogue pattern's slug or alias."},
                    "version": {"type": "string", "description": "The pattern version (default: the current one)."},
                    "tier": {"enum": ["dev", "test", "prod"], "description": "Default: the pattern's first tier."},
                    "size": {"type": "string", "description": "A size preset of the pattern (small, medium…)."},
                    "parameters": {
                        "type": "object",
                        "description": "Values for the pattern's parameters (they win over the size preset).",
                        "additionalProperties": {
                            "type": ["string", "number", "integer", "boolean", "array"],
                            "items": {"type": ["string", "number", "integer", "boolean"]},
                        },
                    },
                    "ttl_days": {"type": "integer", "minimum": 1, "description": "Days to live (default: the tier's)."},
                    "application": {**NAME, "description": "Groups the tiers of one application (default: name)."},
                    "reason": {"type": "string", "description": "What it is for; reviewers read it."},
                },
            },
        },
    }
