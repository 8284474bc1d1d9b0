"""What `/healthz` checks: each probe answers (ok, detail). A load balancer takes a 503 out of rotation."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from governance import policy
from provisioning.terraform.cli import TerraformCLI, TerraformError

# The terraform binary is asked for its version at most once a minute: probes come every few seconds.
_TERRAFORM_CACHE_SECONDS = 60
_terraform_answer: tuple[float, tuple[bool, str]] | None = None


def database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def broker() -> tuple[bool, str]:
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_FOLDER
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            return False, f"broker folder {folder} is missing or not writable"
        return True, "filesystem"
    with Connection(url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True, conn.as_uri()  # the password masked


def terraform() -> tuple[bool, str]:
    global _terraform_answer
    now = time.monotonic()
    if _terraform_answer is not None and now - _terraform_answer[0] < _TERRAFORM_CACHE_SECONDS:
        return _terraform_answer[1]
    try:
        version = TerraformCLI(
            settings.TERRAFORM_BIN, settings.BASE_DIR, {"PATH": os.environ.get("PATH", "")}
        ).version()
        answer = (True, ".".join(map(str, version)))
    except (TerraformError, OSError, ValueError, KeyError) as exc:
        answer = (False, f"{settings.TERRAFORM_BIN} cannot be run: {exc}")
    _terraform_answer = (now, answer)
    return answer


def policies() -> tuple[bool, str]:
    try:
        loaded = policy.current_policy_set()
    except policy.PolicySetBroken as exc:
        return False, f"the policy set does not compile: {exc}"
    return True, f"{len(loaded.policies)} policies"


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": database,
    "broker": broker,
    "terraform": terraform,
    "policies": policies,
}


def report() -> tuple[bool, dict[str, dict]]:
    """(all healthy, {check: {"ok": bool, "detail": str}}); a check that raises is unhealthy, with its error."""
    results = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is the answer, not a 500
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = {"ok": ok, "detail": detail}
    return all(r["ok"] for r in results.values()), results
