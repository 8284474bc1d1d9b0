from celery import shared_task

from governance.notifications import deliver


@shared_task(name="governance.tasks.notify_change_task", ignore_result=True)
def notify_change_task(change_id: int, event: str) -> dict[str, str]:
    return deliver(change_id, event)
