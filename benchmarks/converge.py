"""Many changes at once: N development environments submitted through the actions at the same moment,
against W worker processes (one run each at a time). All must converge (applied), none twice (one plan
and one apply per change, one instance per environment in the cloud), each environment locked in turn.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHANGES = int(os.environ.get("BENCH_CHANGES", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
TIMEOUT = int(os.environ.get("BENCH_CONVERGE_TIMEOUT", "1800"))


def bench_converge(workdir: Path, env: dict, queue: str, endpoint: str) -> list[tuple[str, str, str]]:
    import boto3
    from django.contrib.auth.models import User
    from django.db import connection

    from catalogue.models import Pattern
    from catalogue.parameters import defaults
    from governance.models import Membership, Team
    from idp_portal.components import WorkerProcess
    from provisioning import actions
    from provisioning.choices import ChangeStatus, RunKind, RunStatus
    from provisioning.models import ChangeRequest, Run

    team, _ = Team.objects.get_or_create(slug="converge", defaults={"name": "Converge", "cost_centre": "CC-8"})
    user = User.objects.filter(username="converge").first() or User.objects.create_user("converge")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": "lead"})
    version = Pattern.objects.get(slug="dev-environment").current_version
    stamp = int(time.time()) % 100000
    names = [f"c{stamp}-{n:02d}" for n in range(CHANGES)]

    workers = [
        WorkerProcess(env, workdir / f"converge-worker-{n}.log", queue=queue, concurrency=1).start()
        for n in range(WORKERS - 1)  # main() already runs one worker on this queue
    ]
    try:

        def submit(name: str) -> int:
            try:
                return actions.request_environment(actor=user, team=team, pattern_version=version, name=name,
                                                   tier="dev", ttl_days=None,
                                                   parameters=defaults(version.parameters_schema)).pk  # fmt: skip
            finally:
                connection.close()

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CHANGES) as pool:
            ids = list(pool.map(submit, names))
        submitted = time.monotonic() - started
        settled = {ChangeStatus.APPLIED, ChangeStatus.FAILED, ChangeStatus.REJECTED, ChangeStatus.CANCELLED}
        while time.monotonic() - started < TIMEOUT:
            if ChangeRequest.objects.filter(pk__in=ids).exclude(status__in=settled).count() == 0:
                break
            time.sleep(2)
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.stop()

    changes = ChangeRequest.objects.filter(pk__in=ids)
    applied = changes.filter(status=ChangeStatus.APPLIED).count()
    runs = Run.objects.filter(change_request_id__in=ids)
    twice = sum(
        1
        for change_id in ids
        if runs.filter(change_request_id=change_id, kind=RunKind.APPLY, status=RunStatus.SUCCEEDED).count() > 1
        or runs.filter(change_request_id=change_id, kind=RunKind.PLAN).count() > 1
    )
    overlapping = 0
    for change_id in ids:
        spans = list(
            runs.filter(change_request_id=change_id).order_by("started_at").values_list("started_at", "finished_at")
        )
        overlapping += sum(
            1
            for (a_start, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)
            if a_end and b_start and b_start < a_end
        )
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="sandbox",
                       aws_secret_access_key="sandbox")  # fmt: skip
    instances = [
        tag["Value"]
        for reservation in ec2.describe_instances()["Reservations"]
        for instance in reservation["Instances"]
        if instance["State"]["Name"] != "terminated"
        for tag in instance.get("Tags", [])
        if tag["Key"] == "idp:environment"
    ]
    duplicated = sum(1 for name in set(instances) if instances.count(name) > 1)
    verdict = "OK" if applied == CHANGES and not twice and not overlapping and not duplicated else "MISSED"
    return [
        (f"{CHANGES} changes at once, {WORKERS} workers: applied", f"{applied}/{CHANGES}", f"all converge {verdict}"),
        ("  submitted through the actions in", f"{submitted:.1f} s", "reported"),
        ("  all settled after", f"{elapsed:.0f} s", "reported"),
        ("  runs twice / overlapping runs on one environment / duplicated instances",
         f"{twice} / {overlapping} / {duplicated}", "target 0 / 0 / 0"),
    ]  # fmt: skip
