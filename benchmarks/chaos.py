"""`make chaos`: SIGKILL whole worker process trees at random points of plan and apply, and count what is lost.

CHAOS_CHANGES (10) development environments are submitted through the actions to CHAOS_WORKERS (3) worker
processes. While they run, the driver kills CHAOS_KILLS (20) times: most kills take a random worker that is
running a plan or an apply and SIGKILL it with everything under it (terraform and its provider too, as a
container stop, the OOM killer or a lost host would); the rest are aimed at the moments after terraform exits
(a worker started with `IDP_CRASH_POINT` kills itself there). Every dead worker is replaced at once, as a
supervisor would; the driver runs the reaper as beat would and retries what failed with a retryable reason,
as the team would. At the end it counts, against the database, Terraform's stored state and the cloud:
changes stranded, runs lost without a reason, locks held, changes applied twice, resources created twice, and
orphans (resources tagged with an environment that its state does not hold). Every count must be 0.

`python -m benchmarks.chaos` (what `make chaos` runs) uses its own database, Redis database, moto server and
workers, as `make bench` does; `run_chaos` is also what the suite's short slice calls.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

RETRYABLE = "retry"  # every failure a retry can cure says so (the reaper, a stranded change, orphans listed)


@dataclass
class ChaosReport:
    changes: int = 0
    applied: int = 0
    failed_for_good: list[str] = field(default_factory=list)
    kills_random: int = 0
    kills_aimed: int = 0
    kills_with_terraform: int = 0
    killed_during: Counter = field(default_factory=Counter)
    retries: int = 0
    adopted: int = 0
    elapsed: float = 0.0
    stranded: list[int] = field(default_factory=list)
    runs_without_reason: list[int] = field(default_factory=list)
    locks_held: list[int] = field(default_factory=list)
    applied_twice: list[int] = field(default_factory=list)
    created_twice: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        checks = {"stranded changes": self.stranded, "runs lost without a reason": self.runs_without_reason,
                  "locks left held": self.locks_held, "changes applied twice": self.applied_twice,
                  "resources created twice": self.created_twice, "orphans": self.orphans,
                  "changes failed for good": self.failed_for_good}  # fmt: skip
        return [f"{len(found)} {what}: {found}" for what, found in checks.items() if found]

    def rows(self) -> list[tuple[str, str, str]]:
        during = ", ".join(f"{n} {what}" for what, n in sorted(self.killed_during.items()))
        verdict = "OK" if not self.problems() else "MISSED"
        return [
            (f"chaos: {self.changes} changes, applied", f"{self.applied}/{self.changes}", f"all converge {verdict}"),
            ("  SIGKILLs of whole worker trees (random / after terraform exits)",
             f"{self.kills_random} / {self.kills_aimed}", f"random kills hit: {during or 'nothing running'}"),
            ("  random kills that took terraform down too", str(self.kills_with_terraform), "reported"),
            ("  retries by the team", str(self.retries), "reported"),
            ("  resources adopted into state after interrupted applies", str(self.adopted), "reported"),
            ("  settled after", f"{self.elapsed:.0f} s", "reported"),
            ("  stranded / runs lost without a reason / locks held",
             f"{len(self.stranded)} / {len(self.runs_without_reason)} / {len(self.locks_held)}", "target 0 / 0 / 0"),
            ("  applied twice / created twice / orphans",
             f"{len(self.applied_twice)} / {len(self.created_twice)} / {len(self.orphans)}", "target 0 / 0 / 0"),
        ]  # fmt: skip


def run_chaos(*, env: dict, queue: str, workdir: Path, actor, team, pattern_version, parameters: dict,
              changes: int, workers: int, kills: int, aimed: int, timeout: float, seed: int | None = None,
              ttl_days: int | None = None, crash_points: tuple[str, ...] = ()) -> ChaosReport:  # fmt: skip
    """Submit `changes`, kill `kills` worker trees (`aimed` of them at crash points) while they run, and count."""
    from django.conf import settings
    from django.db import connection

    from idp_portal.components import WorkerProcess, descendants
    from provisioning import actions
    from provisioning.choices import ChangeStatus, RunStatus
    from provisioning.faults import CRASH_POINTS
    from provisioning.models import ChangeRequest, Run
    from provisioning.tasks import reap_orphaned_runs_task  # the reaper as beat runs it, workspaces swept

    rng = random.Random(seed)  # noqa: S311 - chaos, not security
    crash_points = crash_points or CRASH_POINTS
    report = ChaosReport(changes=changes)
    started_workers, pool = 0, []
    aimed_started = 0

    def start_worker() -> WorkerProcess:
        nonlocal started_workers, aimed_started
        extra = {}
        if aimed_started < aimed:
            extra["IDP_CRASH_POINT"] = rng.choice(crash_points)
            aimed_started += 1
        worker = WorkerProcess({**env, **extra}, workdir / f"chaos-worker-{started_workers}.log", queue=queue,
                               concurrency=1).start()  # fmt: skip
        worker.crash_point = extra.get("IDP_CRASH_POINT")
        started_workers += 1
        pool.append(worker)
        return worker

    for _ in range(workers):
        start_worker()
    stamp = int(time.time()) % 100000
    ids = [
        actions.request_environment(actor=actor, team=team, pattern_version=pattern_version, name=f"k{stamp}-{n:02d}",
                                    tier="dev", ttl_days=ttl_days, parameters=parameters).pk
        for n in range(changes)
    ]  # fmt: skip
    retries: Counter = Counter()
    max_retries = kills + 2  # each kill fails at most one change; a change needing more is lost, not unlucky
    started = time.monotonic()
    next_kill = started + rng.uniform(1, 4)
    try:
        while time.monotonic() - started < timeout:
            for worker in [w for w in pool if w.process.poll() is not None]:
                pool.remove(worker)  # died at its crash point, after terraform exited
                worker.stop()
                report.kills_aimed += 1
                start_worker()
            due = report.kills_random < kills - aimed and time.monotonic() >= next_kill
            if due and _kill_a_busy_worker(rng, pool, ids, report, descendants):
                start_worker()
                next_kill = time.monotonic() + rng.uniform(0.5, 6)
            reap_orphaned_runs_task()  # what beat does every RUN_ORPHAN_AFTER_SECONDS / 2
            for change in ChangeRequest.objects.filter(pk__in=ids, status=ChangeStatus.FAILED):
                if RETRYABLE in change.failure_reason.lower() and retries[change.pk] < max_retries:
                    try:
                        actions.retry_change(actor=actor, change=change)
                    except actions.ChangeNotAllowed:
                        continue
                    retries[change.pk] += 1
            open_changes = ChangeRequest.objects.filter(pk__in=ids, status__in=ChangeStatus.working_values())
            retryable = [
                c.pk
                for c in ChangeRequest.objects.filter(pk__in=ids, status=ChangeStatus.FAILED)
                if RETRYABLE in c.failure_reason.lower() and retries[c.pk] < max_retries
            ]
            if not open_changes.exists() and not retryable:
                break
            time.sleep(0.5)
        report.elapsed = time.monotonic() - started
    finally:
        for worker in pool:
            worker.stop()
        connection.close()
    report.retries = sum(retries.values())
    # One last pass of the reaper once every heartbeat is old enough: nothing may still hold a lock.
    time.sleep(settings.RUN_ORPHAN_AFTER_SECONDS + 1)
    reap_orphaned_runs_task()
    _count(report, ids, RunStatus, ChangeStatus, ChangeRequest, Run)
    return report


def _kill_a_busy_worker(rng, pool, ids, report: ChaosReport, descendants) -> bool:
    """SIGKILL the whole tree of a random worker that is running a plan or an apply of ours."""
    from provisioning.choices import RunStatus
    from provisioning.models import Run

    busy = dict(Run.objects.filter(change_request_id__in=ids, status=RunStatus.RUNNING).values_list("worker", "kind"))
    # A worker carrying a crash point is left to die there: that is the aimed kill.
    candidates = [(w, kind) for w in pool if not w.crash_point for name, kind in busy.items()
                  if name.startswith(f"{w.node}@")]  # fmt: skip
    if not candidates:
        return False
    applying = [c for c in candidates if c[1] == "apply"]
    # Plans outnumber applies (every change plans first, and plans take longer here): aim at applies half the time.
    victim, kind = rng.choice(applying if applying and rng.random() < 0.5 else candidates)
    time.sleep(rng.uniform(0, 1.5))  # a random point of that run, not its first second
    tree = descendants(victim.process.pid)
    had_terraform = any(_command(pid).startswith("terraform") or "/terraform" in _command(pid) for pid in tree)
    victim.kill_tree()
    pool.remove(victim)
    report.kills_random += 1
    report.kills_with_terraform += had_terraform
    report.killed_during[kind] += 1
    return True


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return ""


def _count(report: ChaosReport, ids: list[int], RunStatus, ChangeStatus, ChangeRequest, Run) -> None:  # noqa: N803
    from governance.choices import AuditAction
    from governance.models import AuditEvent
    from provisioning import reconcile
    from provisioning.choices import RunKind
    from provisioning.models import Environment

    changes = ChangeRequest.objects.filter(pk__in=ids)
    report.applied = changes.filter(status=ChangeStatus.APPLIED).count()
    report.stranded = list(changes.filter(status__in=ChangeStatus.working_values()).values_list("pk", flat=True))
    report.failed_for_good = [f"#{c.pk}: {c.failure_reason[:200]}" for c in changes.filter(status=ChangeStatus.FAILED)]
    all_runs = Run.objects.filter(change_request_id__in=ids)
    report.runs_without_reason = [
        r.pk for r in all_runs
        if r.status in (RunStatus.QUEUED, RunStatus.RUNNING)
        or (r.status in (RunStatus.FAILED, RunStatus.CANCELLED) and not (r.error and r.log))
    ]  # fmt: skip
    applies = Counter(all_runs.filter(kind=RunKind.APPLY, status=RunStatus.SUCCEEDED).values_list("change_request_id",
                                                                                                  flat=True))  # fmt: skip
    report.applied_twice = [change_id for change_id, n in applies.items() if n > 1]
    environments = Environment.objects.filter(changes__pk__in=ids).distinct()
    adoptions = AuditEvent.objects.filter(action=AuditAction.ENVIRONMENT_ORPHANS_ADOPTED, environment__in=environments)
    report.adopted = sum(len(event.data.get("adopted", [])) for event in adoptions)
    report.locks_held = list(environments.filter(active_run__isnull=False).values_list("pk", flat=True))
    for environment in environments:
        region = environment.parameters.get("region") or _default_region()
        found = reconcile.tagged_resources(environment.pk, region)
        for kind, n in Counter(r.type or r.arn for r in found).items():
            if n > 1:
                report.created_twice.append(f"{environment}: {n} × {kind}")
        report.orphans += [r.arn for r in reconcile.find_orphans(found, stored_state(environment))]


def _default_region() -> str:
    from django.conf import settings

    return settings.AWS_DEFAULT_REGION


def stored_state(environment) -> dict:
    """The environment's state as Terraform stored it (pg backend or local file), as `terraform show -json` shapes it:
    what the portal recorded is not evidence; Terraform's own state is."""
    import json

    from django.conf import settings
    from django.db import connection

    from provisioning.runtime import STATE_SCHEMA, state_config

    if settings.TERRAFORM_STATE_BACKEND == "pg":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f"{STATE_SCHEMA}.states"])
            if cursor.fetchone()[0] is None:
                return {}
            cursor.execute(f"SELECT data FROM {STATE_SCHEMA}.states WHERE name = %s", [environment.state_key])  # noqa: S608
            row = cursor.fetchone()
        raw = json.loads(row[0]) if row else {}
    else:
        path = state_config(environment).path
        raw = json.loads(path.read_text()) if path.exists() else {}
    resources = [
        {"address": r["type"] + "." + r["name"], "mode": r.get("mode"), "values": instance.get("attributes") or {}}
        for r in raw.get("resources", [])
        for instance in r.get("instances", [])
    ]
    return {"values": {"root_module": {"resources": resources}}}


def main() -> None:
    """`make chaos`: its own database, Redis database, moto server and workers; prints the numbers."""
    from benchmarks.__main__ import _create_database

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/idp_portal")
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_chaos"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ["CELERY_QUEUE"] = f"idp-chaos-{os.getpid()}"
    os.environ.setdefault("IDP_PRODUCTION", "0")  # a local run, not a deployment
    os.environ.setdefault("IDP_VAR_DIR", str(Path(tempfile.gettempdir()) / "idp-chaos-var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "idp_portal.settings"
    _create_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from catalogue.models import Pattern
    from catalogue.parameters import defaults
    from catalogue.services import sync_catalogue
    from governance.models import Membership, Team
    from idp_portal.components import MotoServer, worker_environment

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    sync_catalogue(settings.PATTERNS_DIR)
    workdir = Path(tempfile.mkdtemp(prefix="idp-chaos-"))
    moto = MotoServer(workdir / "moto.log").start()
    settings.AWS_ENDPOINT_URL = moto.endpoint
    settings.RUN_ORPHAN_AFTER_SECONDS = int(os.environ.get("CHAOS_ORPHAN_AFTER_SECONDS", "10"))
    team = Team.objects.create(slug="chaos", name="Chaos", cost_centre="CC-9")
    user = User.objects.create_user("chaos")
    Membership.objects.create(user=user, team=team, role="lead")
    version = Pattern.objects.get(slug="dev-environment").current_version
    env = worker_environment(settings.DATABASES["default"], AWS_ENDPOINT_URL=moto.endpoint,
                             SANDBOX_INSTANCE_BOOT_SECONDS=os.environ.get("CHAOS_INSTANCE_BOOT_SECONDS", "3"))  # fmt: skip
    try:
        report = run_chaos(env=env, queue=os.environ["CELERY_QUEUE"], workdir=workdir, actor=user, team=team,
                           pattern_version=version, parameters=defaults(version.parameters_schema),
                           changes=int(os.environ.get("CHAOS_CHANGES", "10")),
                           workers=int(os.environ.get("CHAOS_WORKERS", "3")),
                           kills=int(os.environ.get("CHAOS_KILLS", "20")),
                           aimed=int(os.environ.get("CHAOS_AIMED_KILLS", "6")),
                           timeout=float(os.environ.get("CHAOS_TIMEOUT", "1800")),
                           seed=int(os.environ["CHAOS_SEED"]) if os.environ.get("CHAOS_SEED") else None)  # fmt: skip
    finally:
        moto.stop()
    rows = report.rows()
    width = max(len(r[0]) for r in rows)
    print()
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>12}  {target}")
    problems = report.problems()
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"worker logs: {workdir}")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
