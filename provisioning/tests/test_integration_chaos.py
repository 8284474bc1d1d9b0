"""A short slice of `make chaos` (benchmarks/chaos.py): a few changes, one random kill of a whole worker tree
and one aimed at a crash point (every change is planned, so a plan's crash point is always reached).
Nothing stranded, lost without a reason, held, applied or created twice; nothing orphaned."""

import pytest

from benchmarks.chaos import run_chaos
from catalogue.parameters import defaults

pytestmark = pytest.mark.integration


def test_a_short_chaos_run_strands_nothing_and_builds_nothing_twice(
    sandbox, worker_env, tmp_path, test_patterns, alice, payments, settings
):
    from idp_portal.celery import app

    default_queue = app.conf.task_default_queue
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-chaos"
    app.conf.task_default_queue = queue
    settings.RUN_ORPHAN_AFTER_SECONDS = 8
    version = test_patterns["scratch-bucket"].current_version
    try:
        report = run_chaos(env=worker_env, queue=queue, workdir=tmp_path, actor=alice, team=payments,
                           pattern_version=version, parameters=defaults(version.parameters_schema),
                           changes=3, workers=2, kills=2, aimed=1, timeout=240, seed=11,
                           crash_points=("plan-exited", "plan-recorded"))  # fmt: skip
    finally:
        app.conf.task_default_queue = default_queue

    assert report.problems() == [], report.rows()
    assert report.applied == 3
    assert (report.kills_random, report.kills_aimed) == (1, 1), report.rows()
