"""Tables for people, JSON for scripts (`--output json`), and refusals printed so they say what to change."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit(data, mode: str, columns: list[tuple[str, str]] | None = None, title: str | None = None) -> None:
    """`data` (a dict or a list of dicts) as JSON, or as a table of `columns` [(key, heading)]."""
    if mode == "json":
        out.print_json(json.dumps(data, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    if columns is None:
        for key, value in (data or {}).items():
            out.print(f"[bold]{key}[/bold]: {value}")
        return
    table = Table(title=title, show_lines=False)
    for _, heading in columns:
        table.add_column(heading)
    for row in rows:
        table.add_row(*(_cell(row, key) for key, _ in columns))
    out.print(table)


def _cell(row: dict, key: str) -> str:
    value = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "—" if value in (None, "") else str(value)


def refusal(error: dict, mode: str) -> None:
    if mode == "json":
        err.print_json(json.dumps({"error": error}, default=str))
        return
    err.print(f"[red]Refused:[/red] {error.get('message', '')}")
    for field, messages in (error.get("fields") or {}).items():
        for message in messages:
            err.print(f"  {'request' if field == '__all__' else field}: {message}")
    for violation in error.get("violations") or []:
        where = violation.get("field") or violation.get("resource") or ""
        err.print(f"  [bold]{violation.get('policy')}[/bold] {where}: {violation.get('message')}")
        if violation.get("remediation"):
            err.print(f"    fix: {violation['remediation']}")
