import logging

from celery import shared_task

from provisioning import executor, services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, name="provisioning.tasks.run_terraform_task")
def run_terraform_task(self, run_id: int) -> None:
    try:
        executor.execute_run(run_id, worker=self.request.hostname or "worker")
    except executor.EnvironmentBusy as busy:
        # One run per environment: wait for the holder to finish (or be reaped).
        logger.info("run %s waits: %s", run_id, busy)
        raise self.retry(countdown=3) from None


@shared_task(name="provisioning.tasks.reap_orphaned_runs_task")
def reap_orphaned_runs_task() -> list[int]:
    return services.reap_orphaned_runs()
