import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp_portal.settings")

app = Celery("idp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_to_start_when_misconfigured(**kwargs) -> None:
    """Workers run Django's system checks too: no terraform binary or a broken policy set stops them at start."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check")
    except SystemCheckError as exc:
        # SystemExit, because Celery logs and ignores ordinary exceptions raised by signal handlers.
        raise SystemExit(f"Worker not started:\n{exc}") from None


# Structured logs: a task's lines carry the ids it works on (tasks take ids, named in their first argument).
_TASK_IDS = {
    "provisioning.tasks.run_terraform_task": "run_id",
    "provisioning.tasks.notify_change_task": "change_id",
}
_tokens: dict[str, object] = {}


@task_prerun.connect
def bind_task_ids(task_id=None, task=None, args=None, **kwargs) -> None:
    from idp_portal.log_context import bind

    ids = {"request_id": f"task-{task_id}"}
    field = _TASK_IDS.get(getattr(task, "name", ""))
    if field and args:
        ids[field] = args[0]
    _tokens[task_id] = bind(**ids)


@task_postrun.connect
def unbind_task_ids(task_id=None, **kwargs) -> None:
    from idp_portal.log_context import unbind

    token = _tokens.pop(task_id, None)
    if token is not None:
        unbind(token)


@worker_ready.connect
def clean_workspaces_left_by_killed_runs(**kwargs) -> None:
    """A worker killed mid-run left its run's workspace here; the run itself was failed by the reaper."""
    from provisioning.executor import clean_stale_workspaces

    clean_stale_workspaces()
