"""Run the terraform binary: streamed output, clean interruption, one error type.

Commands are built with python-terraform's `generate_cmd_string` (argv lists,
no shell), but executed here: python-terraform's `cmd` waits for the whole
output (no live log), cannot pass a per-run environment, and its `destroy`
passes `-force`, which Terraform 1.x rejects. We never run `destroy`: a
decommission is a `plan -destroy` that is reviewed, then applied like any plan.

Terraform writes to a log file, not a pipe, and runs in its own session: if
the worker that started it dies, terraform still finishes, writes its state
and releases its state lock instead of dying on a broken pipe mid-apply.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_terraform import IsFlagged, Terraform


class TerraformError(Exception):
    """A terraform command failed; `diagnostics` are terraform's own, for the log and the stale-plan check."""

    def __init__(self, message: str, *, diagnostics: list[dict] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class Interrupted(TerraformError):
    pass


@dataclass
class CommandResult:
    exit_code: int
    diagnostics: list[dict] = field(default_factory=list)


# Called with new log text; returns a reason to interrupt ("cancelled", "time limit") or None.
OutputCallback = Callable[[str], str | None]


class TerraformCLI:
    def __init__(self, binary: str, workdir: Path, env: dict[str, str], *, lock_timeout: str = "60s"):
        self.binary = binary
        self.workdir = workdir
        self.env = env
        self.lock_timeout = lock_timeout
        self._argv = Terraform(working_dir=str(workdir), terraform_bin_path=binary)

    # -- commands ------------------------------------------------------------
    def init(self, on_output: OutputCallback, backend_config: str) -> CommandResult:
        return self._run(
            "init",
            on_output,
            json_lines=False,
            backend_config=[backend_config],
            input=False,
            no_color=IsFlagged,
        )

    def use_workspace(self, name: str) -> None:
        """Use the state workspace `name` (pg backend: one per environment) for the next commands.

        Set after `init`: with TF_WORKSPACE naming a missing workspace, `init` prompts and fails,
        while plan and apply create it on first use (two terraform calls fewer than `workspace new`).
        """
        self.env = {**self.env, "TF_WORKSPACE": name}

    def plan(
        self, on_output: OutputCallback, plan_file: str, *, destroy: bool = False, refresh_only: bool = False
    ) -> CommandResult:
        # -detailed-exitcode: 0 = no changes, 2 = changes present, 1 = error.
        # -refresh-only: compare state with what really runs (drift), propose nothing.
        deadline = time.monotonic() + _seconds(self.lock_timeout)
        while True:
            try:
                return self._run(
                    "plan",
                    on_output,
                    out=plan_file,
                    destroy=IsFlagged if destroy else None,
                    refresh_only=IsFlagged if refresh_only else None,
                    detailed_exitcode=IsFlagged,
                    input=False,
                    lock_timeout=self.lock_timeout,
                    ok_codes=(0, 2),
                )
            except TerraformError as exc:
                # The pg backend creates a new workspace under one database-wide lock that it only *tries*
                # to take (-lock-timeout does not apply): two environments planned for the first time at once
                # make one fail before it has done anything. Waiting and planning again is safe.
                if WORKSPACE_CREATION_LOCKED not in str(exc) or time.monotonic() > deadline:
                    raise
                on_output("\nAnother run is creating its state workspace; planning again in a moment.\n")
                time.sleep(random.uniform(0.5, 2.0))  # noqa: S311 - jitter, not security

    def apply(self, on_output: OutputCallback, plan_file: str) -> CommandResult:
        return self._run("apply", on_output, plan_file, input=False, lock_timeout=self.lock_timeout)

    def import_resource(self, on_output: OutputCallback, address: str, resource_id: str) -> CommandResult:
        """Adopt an existing cloud object into state at `address` (both come from the plan and the cloud)."""
        return self._run("import", on_output, address, resource_id, json_lines=False, input=False,
                         lock_timeout=self.lock_timeout, no_color=IsFlagged)  # fmt: skip

    def apply_targeted(
        self, on_output: OutputCallback, targets: list[str], *, var_file: str | None = None
    ) -> CommandResult:
        """Apply the configuration to `targets` only (and what they depend on), without a saved plan.

        Used for one thing: lifting deletion protection before a reviewed decommission (`var_file` sets
        the module's `decommissioning` variable); `targets` are addresses from that reviewed plan.
        """
        return self._run(
            "apply",
            on_output,
            target=list(targets),
            var_file=var_file,
            auto_approve=IsFlagged,
            input=False,
            lock_timeout=self.lock_timeout,
        )

    def show_json(self, plan_file: str | None = None) -> dict:
        args = [plan_file] if plan_file else []
        return json.loads(self._capture("show", *args, json=IsFlagged, no_color=IsFlagged))

    def output_json(self) -> dict:
        return json.loads(self._capture("output", json=IsFlagged, no_color=IsFlagged))

    def version(self) -> tuple[int, int, int]:
        data = json.loads(self._capture("version", json=IsFlagged))
        return tuple(int(p) for p in data["terraform_version"].split("-")[0].split(".")[:3])

    # -- execution -----------------------------------------------------------
    def _command(self, cmd: str, *args: str, **options) -> list[str]:
        return self._argv.generate_cmd_string(cmd, *args, **options)

    def _capture(self, cmd: str, *args: str, **options) -> str:
        argv = self._command(cmd, *args, **options)
        try:
            done = subprocess.run(
                argv, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=300, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TerraformError(f"The terraform binary {self.binary} cannot be run: {exc}") from None
        if done.returncode != 0:
            raise TerraformError(f"terraform {cmd} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def _run(
        self,
        cmd: str,
        on_output: OutputCallback,
        *args: str,
        json_lines: bool = True,
        ok_codes: tuple[int, ...] = (0,),
        **options,
    ) -> CommandResult:
        if json_lines:
            options["json"] = IsFlagged
        argv = self._command(cmd, *args, **options)
        log_path = self.workdir / f".{cmd}.log"
        with open(log_path, "wb") as sink:
            try:
                process = subprocess.Popen(
                    argv,
                    cwd=self.workdir,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except FileNotFoundError:
                raise TerraformError(f"The terraform binary {self.binary} was not found.") from None
        result = CommandResult(exit_code=-1)
        reader = _LogReader(log_path, json_lines)
        interrupt_reason = None
        interrupted_at = None
        while True:
            try:
                exit_code = process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                exit_code = None
            text = reader.read(result)
            reason = on_output(text)
            if reason and interrupt_reason is None:
                interrupt_reason, interrupted_at = reason, time.monotonic()
                on_output(f"\n!! {reason}: interrupting terraform so it can release its state lock\n")
                # Only terraform itself: it stops its providers and persists state before exiting.
                _signal(process, signal.SIGINT)
            elif interrupted_at and time.monotonic() - interrupted_at > 120:
                _signal(process, signal.SIGKILL)
            if exit_code is not None:
                on_output(reader.read(result))
                break
        result.exit_code = exit_code
        if interrupt_reason:
            raise Interrupted(interrupt_reason, diagnostics=result.diagnostics)
        if exit_code not in ok_codes:
            raise TerraformError(summarise(cmd, result.diagnostics, reader.tail), diagnostics=result.diagnostics)
        return result


WORKSPACE_CREATION_LOCKED = "Already locked for workspace creation"


def _seconds(duration: str) -> float:
    """Terraform's '60s' / '2m' / '1h' as seconds (60 when unreadable)."""
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        return float(duration[:-1]) * units[duration[-1]]
    except (KeyError, ValueError, IndexError):
        return 60.0


def _signal(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signum)


class _LogReader:
    """Tail terraform's log file; turn `-json` lines into readable text and collect diagnostics."""

    def __init__(self, path: Path, json_lines: bool):
        self.path = path
        self.json_lines = json_lines
        self.offset = 0
        self.partial = b""
        self.tail: list[str] = []

    def read(self, result: CommandResult) -> str:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
            self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        out = []
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            text = self._render(line, result)
            if text is not None:
                out.append(text)
                self.tail = (self.tail + [text])[-20:]
        return "".join(f"{t}\n" for t in out)

    def _render(self, line: str, result: CommandResult) -> str | None:
        if not self.json_lines:
            return line
        try:
            event = json.loads(line)
        except ValueError:
            return line if line.strip() else None
        if not isinstance(event, dict):
            return line
        if event.get("type") == "diagnostic":
            diagnostic = event.get("diagnostic", {})
            result.diagnostics.append(diagnostic)
            return format_diagnostic(diagnostic)
        if event.get("type") == "version":
            return None
        return event.get("@message", line)


def format_diagnostic(diagnostic: dict) -> str:
    severity = diagnostic.get("severity", "error").capitalize()
    text = f"{severity}: {diagnostic.get('summary', '')}"
    if diagnostic.get("address"):
        text += f"\n  resource: {diagnostic['address']}"
    where = diagnostic.get("range") or {}
    if where.get("filename"):
        text += f"\n  at {where['filename']} line {where.get('start', {}).get('line', '?')}"
    if diagnostic.get("detail"):
        text += "\n  " + diagnostic["detail"].replace("\n", "\n  ")
    return text


def summarise(cmd: str, diagnostics: list[dict], tail: list[str]) -> str:
    errors = [d for d in diagnostics if d.get("severity") == "error"]
    if errors:
        return "\n\n".join(format_diagnostic(d) for d in errors)
    lines = [line for line in tail if line.strip()]
    return f"terraform {cmd} failed:\n" + "\n".join(lines[-10:])
