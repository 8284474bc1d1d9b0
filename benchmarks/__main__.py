"""`make bench`: measure what users wait for, with the real components.

1. Portal overhead: time from submitting a development environment to its plan
   being stored, against a raw `terraform init && terraform plan` of the same
   kind of workspace (same module, provider mirror, state backend). Target: at
   most 10 % overhead.
2. Policy evaluation: the whole policy set on the largest shipped plan (target:
   under 100 ms), and on the largest real plan of the corpus (reported).
3. Costs (benchmarks/costs.py): the team dashboard with 1,000 environments and 90 days
   of spend (<= 150 ms), the live quote (<= 30 ms), the web-app plan's estimate (<= 20 ms).

Runs against its own PostgreSQL database (`<DATABASE_URL name>_bench`), a moto
server and a Celery worker process started here; prints a table.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/idp_portal")
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rstrip("/") + "_bench"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["CELERY_QUEUE"] = f"idp-bench-{os.getpid()}"
    os.environ.setdefault("IDP_PRODUCTION", "0")  # a local benchmark, not a deployment
    os.environ.setdefault("IDP_VAR_DIR", str(Path(tempfile.gettempdir()) / "idp-bench-var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "idp_portal.settings"
    _create_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from idp_portal.components import MotoServer, WorkerProcess, worker_environment

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    workdir = Path(tempfile.mkdtemp(prefix="idp-bench-"))
    moto = MotoServer(workdir / "moto.log").start()
    settings.AWS_ENDPOINT_URL = moto.endpoint
    env = worker_environment(settings.DATABASES["default"], AWS_ENDPOINT_URL=moto.endpoint)
    worker = WorkerProcess(env, workdir / "worker.log", queue=os.environ["CELERY_QUEUE"], concurrency=1).start()
    parts = sys.argv[1:] or ["policies", "overhead", "costs", "pages", "converge"]  # e.g. `python -m benchmarks pages`
    try:
        from benchmarks.converge import bench_converge
        from benchmarks.costs import bench_costs
        from benchmarks.pages import bench_pages
        from catalogue.services import sync_catalogue

        sync_catalogue(settings.PATTERNS_DIR)
        rows = []
        for part, bench in (("policies", bench_policies), ("overhead", lambda: bench_overhead(workdir)),
                            ("costs", bench_costs), ("pages", bench_pages),
                            ("converge", lambda: bench_converge(workdir, env, os.environ["CELERY_QUEUE"], moto.endpoint))):  # fmt: skip
            if part in parts:
                rows += bench()
    finally:
        worker.stop()
        moto.stop()
    width = max(len(r[0]) for r in rows)
    print()
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>12}  {target}")


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_policies() -> list[tuple[str, str, str]]:
    """The whole policy set on the largest shipped plan (target) and on the largest real plan of the corpus."""
    import json

    from governance.policy import POLICY_DIR, evaluate_stages

    fixtures = sorted((POLICY_DIR / "tests" / "fixtures").glob("*.json"), key=lambda p: p.stat().st_size)
    real = sorted((POLICY_DIR / "tests" / "real_plans").glob("*.json"), key=lambda p: p.stat().st_size)
    rows = []
    for label, path, policy_input, target in (
        ("shipped", fixtures[-1], json.loads(fixtures[-1].read_text()), 100.0),
        ("real", real[-1], {"request": {"tier": "prod"}, "plan": json.loads(real[-1].read_text())}, None),
    ):
        evaluate_stages(("params", "plan"), policy_input)  # compile and warm the cache
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            evaluate_stages(("params", "plan"), policy_input)  # what the portal runs once a plan is stored
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings) * 1000
        resources = len(policy_input["plan"]["resource_changes"])
        verdict = f"target < {target:.0f} ms " + ("OK" if median < target else "MISSED") if target else "reported"
        rows.append(
            (f"policy set on {label} plan {path.stem} ({resources} resources), median", f"{median:.1f} ms", verdict)
        )
    return rows


def bench_overhead(workdir: Path) -> list[tuple[str, str, str]]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import transaction

    from catalogue.models import Pattern
    from catalogue.parameters import defaults
    from catalogue.services import sync_catalogue
    from governance.models import Membership, Team
    from idp_portal.components import wait_for
    from provisioning import actions
    from provisioning.choices import ChangeSource
    from provisioning.models import ChangeRequest, Environment
    from provisioning.runtime import cli_config_file, plugin_cache_dir, workspace_spec
    from provisioning.terraform.workspace import PostgresState, write_workspace
    from provisioning.terraform.workspace import environment as process_env

    sync_catalogue(settings.PATTERNS_DIR)
    team = Team.objects.create(name="Bench", slug="bench", cost_centre="CC-0")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, team=team)
    version = Pattern.objects.get(slug="dev-environment").current_version
    parameters = defaults(version.parameters_schema)

    portal, portal_json, raw, steps = [], [], [], []
    for round_number in range(ROUNDS + 1):  # the first round warms the plugin cache and is not counted
        start = time.perf_counter()
        marks = {}
        with transaction.atomic():
            change = actions.request_environment(
                actor=user, team=team, pattern_version=version, name=f"bench-{round_number}", tier="dev",
                ttl_days=3, parameters=parameters, source=ChangeSource.API,
            )  # fmt: skip
        wait_for(lambda c=change, t=start, m=marks: _plan_stored(c, t, m), 300, "the plan", interval=0.01)
        elapsed = marks["file"]
        # Let the apply that follows finish, so it does not slow the raw measurement or the next round.
        wait_for(
            lambda change=change: ChangeRequest.objects.get(pk=change.pk).status in ("applied", "failed", "rejected"),
            300,
            "the change to settle",
            interval=0.1,
        )
        # Same kind of workspace, driven by hand: terraform init && terraform plan.
        environment = Environment.objects.get(pk=change.environment_id)
        spec = workspace_spec(environment, change)
        if isinstance(spec.state, PostgresState):
            spec.state = PostgresState(spec.state.conn_str, spec.state.schema_name, f"raw-{round_number}",
                                       spec.state.password)  # fmt: skip
        folder = workdir / f"raw-{round_number}"
        write_workspace(folder, spec)
        env = process_env(spec, cli_config_file=cli_config_file(), plugin_cache_dir=plugin_cache_dir())
        raw_start = time.perf_counter()
        _run([settings.TERRAFORM_BIN, "init", "-input=false", "-backend-config=backend.tfbackend"], folder, env)
        if isinstance(spec.state, PostgresState):
            env = {**env, "TF_WORKSPACE": spec.state.workspace}
        _run([settings.TERRAFORM_BIN, "plan", "-input=false", "-out=tfplan"], folder, env)
        raw_elapsed = time.perf_counter() - raw_start
        if round_number:
            portal.append(elapsed)
            portal_json.append(marks["json"])
            raw.append(raw_elapsed)
            steps.append(_step_timings(change))
        print(f"round {round_number}: portal {elapsed:.2f} s (JSON {marks['json']:.2f} s), raw terraform "
              f"{raw_elapsed:.2f} s", file=sys.stderr)  # fmt: skip
    p, r, pj = statistics.median(portal), statistics.median(raw), statistics.median(portal_json)
    overhead = (p - r) / r * 100
    breakdown = {key: statistics.median(step[key] for step in steps) for key in steps[0]}
    return [
        *[(f"  portal: {key}, median", f"{value:.2f} s", "") for key, value in breakdown.items()],
        ("dev environment: submit -> plan stored, median", f"{p:.2f} s", f"{ROUNDS} rounds"),
        ("dev environment: submit -> plan JSON stored (ready for policies)", f"{pj:.2f} s",
         f"{(pj - r) / r * 100:+.1f} % over raw: `terraform show -json` starts the provider again"),
        ("raw terraform init && plan, same workspace, median", f"{r:.2f} s", ""),
        ("portal overhead over raw terraform", f"{overhead:+.1f} %",
         f"ratio {p / r:.2f}; target <= 10 % " + ("OK" if overhead <= 10 else "MISSED")),
    ]  # fmt: skip


def _step_timings(change) -> dict[str, float]:
    """Where the portal's time went: queueing, terraform's steps (timed in the run log), the rest."""
    import re

    from provisioning.choices import RunKind
    from provisioning.models import Run

    run = Run.objects.get(change_request=change, kind=RunKind.PLAN)
    timings = {f"terraform {name}": float(value) for name, value in re.findall(r"\[([a-z -]+): ([0-9.]+) s\]", run.log)}
    timings["waiting for a worker"] = (run.started_at - change.created_at).total_seconds()
    timings["claim, workspace, storing the plan"] = (run.finished_at - run.started_at).total_seconds() - sum(
        v for k, v in timings.items() if k.startswith("terraform")
    )
    return timings


def _plan_stored(change, start: float, marks: dict) -> bool:
    """Note when the saved plan (`file`) and its JSON rendering (`json`) reached the database."""
    from provisioning.choices import RunKind, RunStatus
    from provisioning.models import Run

    run = Run.objects.filter(change_request=change, kind=RunKind.PLAN).only("status", "error").first()
    if run is None:
        return False
    if run.status == RunStatus.FAILED:
        raise SystemExit(f"the plan of change #{change.pk} failed: {run.error}")
    stored = Run.objects.filter(pk=run.pk)
    if "file" not in marks and stored.filter(plan_file__isnull=False).exists():
        marks["file"] = time.perf_counter() - start
    if "json" not in marks and stored.filter(plan_json__isnull=False).exists():
        marks["json"] = time.perf_counter() - start
        marks.setdefault("file", marks["json"])
    return "json" in marks


def _run(argv: list[str], cwd: Path, env: dict) -> None:
    import subprocess

    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")


if __name__ == "__main__":
    main()
