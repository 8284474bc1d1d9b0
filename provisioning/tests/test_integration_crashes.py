"""A worker killed anywhere between terraform exiting and the change moving on strands nothing.

Each case starts a real Celery worker told to SIGKILL its own process group at one crash point
(provisioning/faults.py), requests a scratch bucket, waits for the worker to die, starts a fresh
worker on the same queue (as a supervisor would), lets the reaper run, and retries what failed.
The change always ends applied, every run that died says why and keeps its log, no lock stays
held, and the cloud holds exactly one bucket: nothing was applied twice.
"""

from __future__ import annotations

import pytest

from conftest import request_change
from idp_portal.components import wait_for
from provisioning import actions
from provisioning.actions import runs
from provisioning.choices import ChangeStatus, RunStatus
from provisioning.faults import CRASH_POINTS
from provisioning.models import ChangeRequest, Environment
from provisioning.tests.conftest import tagged_arns, wait_for_status

pytestmark = pytest.mark.integration


def settled_after_reaping(change: ChangeRequest) -> bool:
    runs.reap_orphaned_runs()
    change.refresh_from_db()
    return change.status in (ChangeStatus.APPLIED, ChangeStatus.FAILED)


# The suite takes the points where a wrong recovery costs most: terraform's apply done but nothing recorded (a
# retry must not apply again), and a kill inside each transaction that records an outcome. `make chaos` runs all.
IN_THE_SUITE = {"plan-recorded", "apply-exited", "apply-recorded"}


@pytest.mark.parametrize(
    "point", [p if p in IN_THE_SUITE else pytest.param(p, marks=pytest.mark.chaos) for p in CRASH_POINTS]
)
def test_a_worker_killed_at_a_crash_point_strands_nothing(
    point, sandbox, extra_worker, test_patterns, aws, alice, payments, settings
):
    # given a worker that dies at `point`
    doomed = extra_worker(IDP_CRASH_POINT=point)
    change = request_change(alice, payments, test_patterns["scratch-bucket"], name=f"crash-{point}")

    # when it dies there, and a fresh worker takes over its queue
    wait_for(lambda: doomed.process.poll() is not None, 120, f"the worker to die at {point}")
    extra_worker(queue=doomed.queue)
    settings.RUN_ORPHAN_AFTER_SECONDS = 2

    # then the reaper brings the change to a final or retryable state, never leaves it stranded
    wait_for(lambda: settled_after_reaping(change), 120, f"change #{change.pk} to settle after a crash at {point}")
    if change.status == ChangeStatus.FAILED:
        died = change.runs.get(status=RunStatus.FAILED)
        assert "stopped responding" in died.error and died.log, (died.error, died.log)
        assert "retry to converge" in change.failure_reason
        actions.retry_change(actor=alice, change=change)
    change = wait_for_status(change, ChangeStatus.APPLIED)

    # and nothing was applied twice, nothing is left running, no lock is held
    environment = Environment.objects.get(pk=change.environment_id)
    buckets = [arn for arn in tagged_arns(aws, environment) if arn.startswith("arn:aws:s3:::")]
    assert buckets == [f"arn:aws:s3:::{environment.outputs['bucket']}"]
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == [environment.outputs["bucket"]]
    assert not change.runs.unfinished().exists()
    wait_for(lambda: runs.reap_orphaned_runs() == [] and not _locked(environment), 30, "the lock to be released")


def _locked(environment: Environment) -> bool:
    return Environment.objects.filter(pk=environment.pk, active_run__isnull=False).exists()
