"""The reaper runs on its own queue and worker: a backlog of runs does not delay it."""

import time

import pytest
from django.conf import settings

from conftest import request_change
from idp_portal.celery import app
from idp_portal.components import WorkerProcess
from provisioning.choices import RunStatus
from provisioning.models import Run
from provisioning.tasks import reap_orphaned_runs_task, run_terraform_task


def test_the_reaper_task_is_routed_to_its_own_queue():
    route = app.amqp.router.route({}, "provisioning.tasks.reap_orphaned_runs_task")
    assert route["queue"].name == settings.CELERY_REAPER_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    assert app.amqp.router.route({}, "provisioning.tasks.run_terraform_task")["queue"].name != (
        settings.CELERY_REAPER_QUEUE
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_run_is_reaped_at_once_despite_a_backlog_of_runs(worker_env, tmp_path, alice, payments,
                                                                         web_app, settings):  # fmt: skip
    # given runs pile up on a run queue no worker is free for
    backlog = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-backlog"
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, backlog
    try:
        change = request_change(alice, payments, web_app)
        run = change.runs.get()
        for _ in range(30):
            run_terraform_task.apply_async(args=[run.pk], queue=backlog)
        # and a run whose worker died a while ago
        Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker="gone@host",
                                             heartbeat_at=run.queued_at.replace(year=2000))  # fmt: skip

        # when the reaper's own worker gets beat's task
        reaper = WorkerProcess(worker_env, tmp_path / "reaper.log", queue=settings.CELERY_REAPER_QUEUE, concurrency=1)
        reaper.start()
        try:
            started = time.monotonic()
            reap_orphaned_runs_task.delay()
            while time.monotonic() - started < 30 and Run.objects.get(pk=run.pk).status == RunStatus.RUNNING:
                time.sleep(0.2)
            waited = time.monotonic() - started
        finally:
            reaper.stop()
    finally:
        app.conf.task_default_queue = default_queue
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(backlog)

    # then the run was failed within seconds, saying why
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "gone@host stopped responding" in run.error
    assert waited < 10
