import os

from celery import Celery
from celery.signals import worker_init

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
