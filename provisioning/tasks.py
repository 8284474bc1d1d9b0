import logging

from celery import shared_task

from provisioning import executor, notifications
from provisioning.actions import runs
from provisioning.gitops import sync as gitops_sync

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, name="provisioning.tasks.run_terraform_task")
def run_terraform_task(self, run_id: int) -> None:
    try:
        executor.execute_run(run_id, worker=self.request.hostname or "worker")
    except executor.EnvironmentBusy as busy:
        # One run per environment: wait for the holder to finish (or be reaped).
        logger.info("run %s waits: %s", run_id, busy)
        runs.run_waiting(run_id)
        raise self.retry(countdown=3) from None


@shared_task(name="provisioning.tasks.reap_orphaned_runs_task")
def reap_orphaned_runs_task() -> list[int]:
    reaped = runs.reap_orphaned_runs()
    if reaped:
        logger.warning("reaper failed runs %s whose worker stopped responding", reaped)
        executor.clean_stale_workspaces()  # this machine's; every worker sweeps its own when it starts
    return reaped


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


@shared_task(bind=True, max_retries=5, name="provisioning.tasks.notify_team_task", ignore_result=True)
def notify_team_task(
    self, team_id: int, subject: str, body: str, path: str, emoji: str, channel: str, extend_environment_id=None
) -> str:
    try:
        return notifications.deliver_to_team(team_id, subject, body, path, emoji, channel, extend_environment_id)
    except notifications.NotificationError as exc:
        logger.warning("team notification %r for team %s via %s failed: %s", subject, team_id, channel, exc)
        if exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(countdown=min(600, 10 * 3**self.request.retries)) from None
        return f"failed: {exc}"


@shared_task(bind=True, max_retries=8, name="provisioning.tasks.sync_spend_task", ignore_result=True)
def sync_spend_task(self) -> str:
    """Bill the sandbox, read actual spend, tell teams about budgets and anomalies; back off when unreachable."""
    from costs.cost_explorer import SpendUnavailable
    from provisioning import spend

    try:
        sync = spend.sync_spend()
    except SpendUnavailable as exc:
        logger.warning("spend sync failed: %s", exc)
        if exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(countdown=min(3600, 60 * 2**self.request.retries)) from None
        return f"failed: {exc}"
    return f"{sync.records} records"


@shared_task(bind=True, max_retries=5, name="provisioning.tasks.sync_aws_budget_task", ignore_result=True)
def sync_aws_budget_task(self, team_id: int) -> str:
    from costs.aws_budgets import BudgetSyncFailed
    from provisioning import spend

    try:
        return spend.sync_aws_budget(team_id)
    except BudgetSyncFailed as exc:
        logger.warning("%s", exc)
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=60 * 2**self.request.retries) from None
        return f"failed: {exc}"


@shared_task(name="provisioning.tasks.sweep_expiry_task", ignore_result=True)
def sweep_expiry_task() -> str:
    from provisioning.expiry import sweep_expiry

    sweep = sweep_expiry()
    return (
        f"{len(sweep.notices_sent)} notices, {len(sweep.decommissioned)} decommissioned, {len(sweep.waiting)} waiting"
    )


@shared_task(name="provisioning.tasks.schedule_drift_checks_task", ignore_result=True)
def schedule_drift_checks_task() -> list[str]:
    from provisioning.drift import schedule_drift_checks

    return schedule_drift_checks()


@shared_task(bind=True, max_retries=3, name="provisioning.tasks.sync_repository_task", ignore_result=True)
def sync_repository_task(self, repository_id: int) -> bool:
    if gitops_sync.sync_repository(repository_id):
        return True
    # Another worker is syncing it and may have fetched before this push landed: come back after it.
    if self.request.retries < self.max_retries:
        raise self.retry(countdown=30)
    return False


@shared_task(name="provisioning.tasks.poll_repositories_task", ignore_result=True)
def poll_repositories_task() -> list[int]:
    """The periodic poll: a sync per active repository (a repository that failed to fetch is tried again)."""
    repositories = gitops_sync.poll_repositories()
    for repository_id in repositories:
        sync_repository_task.delay(repository_id)
    return repositories


@shared_task(name="provisioning.tasks.audit_tags_task", ignore_result=True)
def audit_tags_task() -> int:
    """Untagged resources for the organisation page, listed where the cloud credentials are (the workers)."""
    from provisioning import tag_audit

    return tag_audit.collect()["count"]
