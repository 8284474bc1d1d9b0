"""Execute one Run on a worker: claim it, lock its environment, drive terraform, record the outcome."""

from __future__ import annotations

import logging
import shutil
import time
import traceback
from contextlib import contextmanager

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from idp_portal.log_context import log_context
from provisioning import orphan_cleanup, reconcile
from provisioning.actions import runs
from provisioning.choices import RunKind, RunStatus
from provisioning.faults import crash_point
from provisioning.models import Environment, Run
from provisioning.runtime import (
    cli_config_file,
    plugin_cache_dir,
    provide_sandbox_platform_keys,
    workspace_spec,
    workspaces_dir,
)
from provisioning.terraform.cli import Interrupted, TerraformCLI, TerraformError
from provisioning.terraform.plan_diff import describe_drift, describe_plan
from provisioning.terraform.workspace import (
    BACKEND_CONFIG,
    DECOMMISSIONING_TFVARS,
    PostgresState,
    environment,
    write_workspace,
)

logger = logging.getLogger(__name__)
PLAN_FILE = "tfplan"
STALE_PLAN = "Saved plan is stale"


class EnvironmentBusy(Exception):
    def __init__(self, holder_id: int | None):
        super().__init__(f"environment is locked by run #{holder_id}")
        self.holder_id = holder_id


@transaction.atomic
def claim(run_id: int, worker: str) -> Run | None:
    """Take a queued run and its environment's lock; None when another worker has it or it was cancelled."""
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, worker=worker
    )
    if not claimed:
        return None
    run = Run.objects.select_related(
        "environment__team", "environment__pattern_version__pattern", "change_request"
    ).get(pk=run_id)
    # One run per environment: a conditional update is the lock; the reaper frees it if we die.
    locked = Environment.objects.filter(Q(active_run__isnull=True) | Q(active_run=run), pk=run.environment_id).update(
        active_run=run
    )
    if not locked:
        holder = Environment.objects.filter(pk=run.environment_id).values_list("active_run", flat=True).first()
        raise EnvironmentBusy(holder)  # rolls the claim back: the run stays queued
    runs.run_started(run)
    return run


class LogStream:
    """Append terraform output to the run's log in small batches; heartbeat; watch for cancel and time limit."""

    FLUSH_SECONDS = 0.5

    def __init__(self, run: Run):
        self.run = run
        self.buffer: list[str] = []
        self.last_flush = time.monotonic()
        self.started = time.monotonic()

    def __call__(self, text: str) -> str | None:
        if text:
            self.buffer.append(text)
        if time.monotonic() - self.last_flush < self.FLUSH_SECONDS:
            return None
        return self.flush()

    def flush(self) -> str | None:
        self.save()
        if Run.objects.filter(pk=self.run.pk, cancel_requested=True).exists():
            return "Cancelled"
        if time.monotonic() - self.started > settings.RUN_TIME_LIMIT_SECONDS:
            return f"Time limit of {settings.RUN_TIME_LIMIT_SECONDS} s exceeded"
        return None

    def save(self) -> None:
        """Append what is buffered to the run's log and beat the heartbeat."""
        chunk = "".join(self.buffer)
        self.buffer.clear()
        self.last_flush = time.monotonic()
        update = {"heartbeat_at": timezone.now()}
        if chunk:
            update["log"] = Concat(F("log"), Value(chunk))
        try:
            Run.objects.filter(pk=self.run.pk).update(**update)
        except (OperationalError, InterfaceError) as exc:
            # The database dropped our connection (restart, failover, a terminated backend): terraform runs on.
            # Reconnect once and write again; if that fails too, the run fails with the database's own words.
            if connection.in_atomic_block:
                raise
            logger.warning("run %s lost its database connection (%s); reconnecting", self.run.pk, exc)
            connection.close()
            note = f"\n[the worker lost its database connection and reconnected: {str(exc).strip()}]\n"
            update["log"] = Concat(F("log"), Value(chunk + note))
            Run.objects.filter(pk=self.run.pk).update(**update)

    def write(self, text: str) -> None:
        self.buffer.append(text)
        self.save()

    @contextmanager
    def timed(self, step: str):
        started = time.monotonic()
        try:
            yield
        finally:
            # The command's last lines may still be buffered: the log must end where terraform ended.
            self.buffer.append(f"[{step}: {time.monotonic() - started:.2f} s]\n")
            self.save()


def clean_stale_workspaces() -> list[int]:
    """Remove the workspace folders of runs no longer queued or running on this machine.

    A run ends by removing its own folder; a worker killed mid-run (with terraform) leaves it behind, with its
    plan file and provider cache links. Each worker sweeps its machine when it starts, the reaper after reaping.
    """
    folder = workspaces_dir()
    if not folder.is_dir():
        return []
    found = {}
    for path in folder.glob("run-*"):
        if path.name[4:].isdigit():
            found[int(path.name[4:])] = path
    live = set(
        Run.objects.filter(pk__in=found, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).values_list("pk", flat=True)
    )
    removed = sorted(pk for pk in found if pk not in live)
    for pk in removed:
        shutil.rmtree(found[pk], ignore_errors=True)
    if removed:
        logger.info("removed the workspaces of ended runs %s", removed)
    return removed


def execute_run(run_id: int, *, worker: str) -> None:
    run = claim(run_id, worker)
    if run is None:
        return
    with log_context(run_id=run.pk, change_id=run.change_request_id, environment_id=run.environment_id):
        logger.info("%s run %s started on %s", run.kind, run.pk, worker)
        _execute_claimed(run)
        logger.info(
            "%s run %s ended: %s",
            run.kind,
            run.pk,
            Run.objects.filter(pk=run.pk).values_list("status", flat=True).first(),
        )


def _execute_claimed(run: Run) -> None:
    workdir = workspaces_dir() / f"run-{run.pk}"
    stream = LogStream(run)
    # The log is saved before the outcome is recorded: a failed run always shows why.
    try:
        _execute(run, workdir, stream)
    except Interrupted as exc:
        stream.write(f"\nRun stopped: {exc}\n")
        runs.run_failed(run.pk, str(exc), cancelled=str(exc) == "Cancelled")
    except TerraformError as exc:
        stream.write("\n")
        if any(STALE_PLAN in (d.get("summary") or "") for d in exc.diagnostics):
            runs.plan_went_stale(run.pk, str(exc))
        else:
            runs.run_failed(run.pk, str(exc))
    except Exception as exc:  # a bug or an outage: the run must not stay "running" forever
        logger.exception("run %s crashed", run.pk)
        stream.write(f"\nInternal error while running terraform: {type(exc).__name__}: {exc}\n")
        runs.run_failed(run.pk, f"Internal error: {type(exc).__name__}: {exc}")
        logger.debug(traceback.format_exc())
    finally:
        stream.save()
        Environment.objects.filter(pk=run.environment_id, active_run=run).update(active_run=None)
        shutil.rmtree(workdir, ignore_errors=True)


def _execute(run: Run, workdir, stream: LogStream) -> None:
    environment_obj = run.environment
    spec = workspace_spec(environment_obj, run.change_request, run)
    provide_sandbox_platform_keys(spec)
    shutil.rmtree(workdir, ignore_errors=True)
    write_workspace(workdir, spec)
    env = environment(spec, cli_config_file=cli_config_file(), plugin_cache_dir=plugin_cache_dir())
    cli = TerraformCLI(settings.TERRAFORM_BIN, workdir, env, lock_timeout=settings.TERRAFORM_LOCK_TIMEOUT)

    stream.write(f"$ terraform init  (run #{run.pk} on {run.worker})\n")
    with stream.timed("init"):
        cli.init(stream, BACKEND_CONFIG)
    (workdir / BACKEND_CONFIG).unlink(missing_ok=True)
    if isinstance(spec.state, PostgresState):
        cli.use_workspace(spec.state.workspace)

    if run.kind == RunKind.PLAN:
        _adopt_orphans(run, cli, stream, spec.region)

    if run.kind in (RunKind.PLAN, RunKind.DRIFT, RunKind.PREVIEW):
        drift = run.kind == RunKind.DRIFT
        flags = " -destroy" if run.destroy else " -refresh-only" if drift else ""
        stream.write(f"\n$ terraform plan{flags} -out={PLAN_FILE}\n")
        with stream.timed("plan"):
            result = cli.plan(stream, PLAN_FILE, destroy=run.destroy, refresh_only=drift)
        crash_point("plan-exited")
        # The saved plan is what will be applied: keep it at once, then its JSON rendering for the checks.
        Run.objects.filter(pk=run.pk).update(
            plan_file=(workdir / PLAN_FILE).read_bytes(), has_changes=result.exit_code == 2
        )
        crash_point("plan-saved")
        with stream.timed("show -json"):
            plan_json = cli.show_json(PLAN_FILE)
        changes = describe_drift(plan_json) if drift else describe_plan(plan_json)
        Run.objects.filter(pk=run.pk).update(plan_json=plan_json, plan_changes=changes)
        crash_point("plan-shown")
        if drift:
            runs.drift_checked(run.pk, exit_code=result.exit_code, drift=changes)
            return
        runs.plan_finished(run.pk, exit_code=result.exit_code)
        crash_point("plan-committed")
        return

    plan_run = run.change_request.plan_run
    (workdir / PLAN_FILE).write_bytes(bytes(plan_run.plan_file))
    stream.write(f"\n$ terraform apply {PLAN_FILE}  (the plan reviewed in run #{plan_run.pk})\n")
    try:
        if plan_run.destroy:
            _lift_deletion_protection(cli, stream, plan_run.plan_json or {})
        with stream.timed("apply"):
            result = cli.apply(stream, PLAN_FILE)
    except TerraformError:
        _record_what_is_left(run, cli)
        raise
    crash_point("apply-exited")
    with stream.timed("outputs and state"):
        outputs = cli.output_json()
        state = cli.show_json()
    crash_point("apply-read")
    runs.apply_finished(run.pk, exit_code=result.exit_code, outputs=outputs, state=state)
    crash_point("apply-committed")


ALREADY_MANAGED = "Resource already managed by Terraform"


class OrphansFound(TerraformError):
    """Resources of this environment that no state holds and that cannot be adopted with certainty."""


def _adopt_orphans(run: Run, cli: TerraformCLI, stream: LogStream, region: str) -> None:
    """After an interrupted apply, before planning: adopt into state what it created, or stop with the list."""
    interrupted = reconcile.interrupted_apply(run)
    if interrupted is None:
        return
    stream.write(
        f"\n$ reconcile: apply run #{interrupted.pk} was interrupted; looking for resources tagged "
        f"{reconcile.TAG}={run.environment_id} that the state does not hold\n"
    )
    if run.delete_orphans:
        _delete_chosen_orphans(run, cli, stream, region)
    plan_run = interrupted.change_request.plan_run if interrupted.change_request else None
    adopted = []
    # Terraform may have outlived its worker and still be applying: an import waits for its state lock, then
    # may find the address already managed. So look again after every round of imports, from fresh state.
    for _ in range(4):
        state = cli.show_json()
        found = _tagged(run, region)
        orphans = reconcile.find_orphans(found, state)
        adoption = reconcile.plan_adoption(orphans, plan_run.plan_json if plan_run else None, state)
        stream.write(f"{len(found)} tagged, {len(orphans)} not in state, {len(adoption.imports)} to adopt\n")
        if not adoption.imports:
            break
        for address, resource in adoption.imports:
            stream.write(f"\n$ terraform import {address} {resource.id}\n")
            try:
                with stream.timed("import"):
                    cli.import_resource(stream, address, resource.id)
            except TerraformError as exc:
                if ALREADY_MANAGED not in str(exc):
                    raise
                stream.write(
                    "\nThe state changed meanwhile (an apply that outlived its worker wrote it): looking again.\n"
                )
                break
            adopted.append({"address": address, **resource.as_dict()})
    else:
        raise TerraformError(
            "The state kept changing while the portal adopted orphans into it; nothing was planned. Retry."
        )
    runs.orphans_reconciled(run.pk, adopted=adopted, unresolved=adoption.unresolved)
    if adoption.unresolved:
        raise OrphansFound(reconcile.describe_unresolved(run.environment_id, adoption.unresolved))


def _tagged(run: Run, region: str) -> list[reconcile.CloudResource]:
    """What carries the environment's tag; an unreachable cloud fails the run (retryable), nothing changed."""
    try:
        return reconcile.tagged_resources(run.environment_id, region)
    except reconcile.CloudUnreachable as exc:
        raise TerraformError(str(exc)) from None


def _delete_chosen_orphans(run: Run, cli: TerraformCLI, stream: LogStream, region: str) -> None:
    """The orphans the team picked on the environment page, if they are still orphans: never what a state holds."""
    chosen = set(run.delete_orphans)
    orphans = reconcile.find_orphans(_tagged(run, region), cli.show_json())
    doomed = [o for o in orphans if o.arn in chosen and orphan_cleanup.deletable(o)]
    stream.write(f"\n$ delete {len(chosen)} orphan(s) chosen by the team: {len(doomed)} still orphaned\n")
    for arn in sorted(chosen - {o.arn for o in doomed}):
        known = next((o for o in orphans if o.arn == arn), None)
        stream.write(f"not deleting {arn}: " + ("a type the portal cannot delete\n" if known else "gone or in state\n"))
    try:
        deleted = orphan_cleanup.delete(doomed, region, stream.write)
    except orphan_cleanup.CleanupFailed as exc:
        runs.orphans_deleted(run.pk, [o.as_dict() for o in exc.deleted])  # what went before the refusal
        raise TerraformError(str(exc)) from None
    runs.orphans_deleted(run.pk, [o.as_dict() for o in deleted])


def protected_from_deletion(plan_json: dict) -> list[str]:
    """Addresses a destroy plan deletes that AWS refuses to delete while their deletion protection is on."""
    return sorted(
        change["address"]
        for change in plan_json.get("resource_changes", [])
        if "delete" in change["change"]["actions"] and (change["change"].get("before") or {}).get("deletion_protection")
    )


def _deleted(plan_json: dict) -> set[str]:
    return {c["address"] for c in plan_json.get("resource_changes", []) if "delete" in c["change"]["actions"]}


def _lift_deletion_protection(cli: TerraformCLI, stream: LogStream, reviewed: dict) -> None:
    """Turn off the deletion protection of what the approved decommission deletes, then plan it again.

    AWS refuses to delete a protected database, and one Terraform plan cannot both update and delete a
    resource: a targeted apply (the module's `decommissioning` variable set) lifts the protection, which
    makes the reviewed plan stale, so the same destroy is planned again and must delete exactly what
    the reviewers approved, or nothing is deleted and the protection is put back.
    """
    protected = protected_from_deletion(reviewed)
    if not protected:
        return
    stream.write(
        f"\n$ terraform apply -target=… -var-file={DECOMMISSIONING_TFVARS}  "
        f"(lift the deletion protection of {', '.join(protected)})\n"
    )
    with stream.timed("lift deletion protection"):
        cli.apply_targeted(stream, protected, var_file=DECOMMISSIONING_TFVARS)
    stream.write(f"\n$ terraform plan -destroy -out={PLAN_FILE}  (the reviewed decommission, planned again)\n")
    with stream.timed("plan"):
        cli.plan(stream, PLAN_FILE, destroy=True)
    replanned = cli.show_json(PLAN_FILE)
    if _deleted(replanned) != _deleted(reviewed):
        stream.write("\n$ terraform apply -target=…  (put the deletion protection back)\n")
        cli.apply_targeted(stream, protected)
        raise TerraformError(
            "The environment changed since its decommission was reviewed (the destroy plan now deletes "
            f"{sorted(_deleted(replanned))}, the reviewed one {sorted(_deleted(reviewed))}): nothing was "
            "deleted; request the decommission again."
        )


def _record_what_is_left(run: Run, cli: TerraformCLI) -> None:
    """An apply failed halfway (a destroy that could not finish...): keep what the state still holds."""
    try:
        state = cli.show_json()
    except TerraformError:
        return  # the failure itself is what the page shows
    runs.state_after_failure(run.pk, state)
