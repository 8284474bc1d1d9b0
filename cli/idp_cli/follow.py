"""Follow a change to its end: its status as it moves, the Terraform log of each run as it is written."""

from __future__ import annotations

import time

from idp_cli.client import Client
from idp_cli.output import err, out

DONE = {"applied", "failed", "rejected", "cancelled", "awaiting_approval"}
POLL_SECONDS = 1.0


def follow_change(client: Client, change_id: int, *, show_log: bool, timeout: float = 3600) -> dict:
    """Poll until the change is done or waits for people; returns its last state."""
    deadline, offsets, status = time.monotonic() + timeout, {}, None
    while True:
        change = client.get(f"changes/{change_id}/")
        if change["status"] != status:
            status = change["status"]
            err.print(f"[bold]change #{change_id}[/bold]: {status.replace('_', ' ')}")
        if show_log:
            for run in change.get("runs", []):
                offsets[run["id"]] = _print_new_log(client, run["id"], offsets.get(run["id"], 0))
        if status in DONE or time.monotonic() > deadline:
            return change
        time.sleep(POLL_SECONDS)


def follow_run(client: Client, run_id: int, *, follow: bool) -> dict:
    offset = 0
    while True:
        page = client.get(f"runs/{run_id}/log/", offset=offset)
        if page["text"]:
            out.print(page["text"], end="", markup=False)
        offset = page["offset"]
        if page["finished"] or not follow:
            return page
        time.sleep(POLL_SECONDS)


def _print_new_log(client: Client, run_id: int, offset: int) -> int:
    page = client.get(f"runs/{run_id}/log/", offset=offset)
    if page["text"]:
        out.print(page["text"], end="", markup=False)
    return page["offset"]
