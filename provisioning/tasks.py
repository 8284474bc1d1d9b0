import logging

from celery import shared_task

from provisioning import executor, notifications
from provisioning.actions import runs

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
    return runs.reap_orphaned_runs()


@shared_task(bind=True, max_retries=5, name="provisioning.tasks.notify_change_task", ignore_result=True)
def notify_change_task(self, change_id: int, event: str, channel: str) -> str:
    try:
        outcome = notifications.deliver(change_id, event, channel)
    except notifications.NotificationError as exc:
        logger.warning("notification %s for change %s via %s failed: %s", event, change_id, channel, exc)
        if exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(countdown=min(600, 10 * 3**self.request.retries)) from None
        return f"failed: {exc}"
    logger.info("notification %s for change %s via %s: %s", event, change_id, channel, outcome)
    return outcome
