"""Helpers for provisioning tests that drive real changes through workers, terraform and moto."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from governance import tokens
from governance.choices import TokenScope
from idp_portal.components import WorkerProcess, wait_for
from provisioning.choices import ChangeStatus, RunStatus
from provisioning.models import ChangeRequest, Run

SETTLED = {ChangeStatus.APPLIED, ChangeStatus.FAILED, ChangeStatus.REJECTED, ChangeStatus.CANCELLED}


def wait_for_status(change: ChangeRequest, statuses, timeout: float = 240) -> ChangeRequest:
    """Poll the database until the change reaches one of `statuses` (a set) and return it fresh."""
    statuses = {statuses} if isinstance(statuses, str) else set(statuses)

    def reached():
        change.refresh_from_db()
        return change.status in statuses or (change.status in SETTLED and change.status not in statuses)

    wait_for(reached, timeout, f"change #{change.pk} to reach {statuses}", interval=0.5)
    if change.status not in statuses:
        runs = "\n".join(f"run {r.pk} {r.kind} {r.status}: {r.error}\n{r.log[-3000:]}" for r in change.runs.all())
        denials = [r["message"] for r in change.policy_results if r.get("severity") == "deny"]
        pytest.fail(
            f"change #{change.pk} ended {change.status} ({change.failure_reason}{'; '.join(denials)}) "
            f"instead of {statuses}\n{runs}"
        )
    return change


def tagged_arns(aws, environment) -> dict[str, dict]:
    """Every resource the tagging API knows for this environment: {arn: tags}."""
    found = {}
    paginator = aws("resourcegroupstaggingapi").get_paginator("get_resources")
    for page in paginator.paginate(TagFilters=[{"Key": "idp:environment", "Values": [str(environment.pk)]}]):
        for item in page["ResourceTagMappingList"]:
            found[item["ResourceARN"]] = {t["Key"]: t["Value"] for t in item["Tags"]}
    return found


def live_instances(aws, environment) -> list[str]:
    """Ids of the environment's instances that are pending or running (terminated ones keep their tags a while)."""
    reservations = aws("ec2").describe_instances(
        Filters=[
            {"Name": "tag:idp:environment", "Values": [str(environment.pk)]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]  # fmt: skip
    )["Reservations"]
    return [i["InstanceId"] for r in reservations for i in r["Instances"]]


@pytest.fixture
def extra_worker(worker_env, tmp_path, settings):
    """Start a worker with its own queue and environment; tasks go to it while the test runs.

    `start(queue=q)` starts another worker on an existing queue, as a supervisor restarts a dead one.
    """
    from idp_portal.celery import app

    started = []
    default_queue = app.conf.task_default_queue

    def start(queue: str | None = None, **env) -> WorkerProcess:
        queue = queue or f"{settings.CELERY_TASK_DEFAULT_QUEUE}-extra-{len(started)}"
        worker = WorkerProcess({**worker_env, **env}, tmp_path / f"worker-{len(started)}.log", queue=queue).start()
        started.append(worker)
        app.conf.task_default_queue = queue
        return worker

    yield start
    app.conf.task_default_queue = default_queue
    for worker in started:
        worker.stop()


def wait_for_run(change: ChangeRequest, kind: str, *, log_contains: str = "", timeout: float = 120) -> Run:
    def running():
        run = change.runs.filter(kind=kind, status=RunStatus.RUNNING).first()
        return run if run and log_contains in run.log else None

    return wait_for(running, timeout, f"a running {kind} run of change #{change.pk}", interval=0.1)


PLATFORM = str(Path(sys.executable).with_name("platform"))
CLI_SOURCE = Path(__file__).resolve().parents[2] / "cli"


@pytest.fixture
def run_cli(live_server, tmp_path, alice, payments, catalogue):
    """`platform …` in a process of its own, as alice with a write token, with its own config directory."""
    _, token = tokens.create_token(actor=alice, name="cli", scope=TokenScope.WRITE, days=1)
    # PYTHONPATH: this checkout's CLI, whichever checkout the shared venv installed in editable mode.
    env = {**os.environ, "PLATFORM_URL": live_server.url, "PLATFORM_TOKEN": token, "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "COLUMNS": "200", "NO_COLOR": "1",
           "PYTHONPATH": str(CLI_SOURCE)}  # fmt: skip

    def run(*args, env_overrides=None, input_text=None) -> subprocess.CompletedProcess:
        return subprocess.run([PLATFORM, *args], env={**env, **(env_overrides or {})}, capture_output=True,
                              text=True, timeout=120, input=input_text)  # fmt: skip

    run.token = token
    return run


@pytest.fixture
def slack_app(settings, slack):
    """The portal as a Slack app's backend (signing secret set); `slack`, the local receiver, gets the answers."""
    from provisioning.tests.slack import configure

    configure(settings)
    return slack
