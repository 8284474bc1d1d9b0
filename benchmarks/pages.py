"""Pages under load: locust (headless, bounded in time) against gunicorn on 127.0.0.1.

The catalogue, a team dashboard and a change page, side by side with a plain Django page (the sign-in
page: a template and a CSRF token, no query) as the baseline. Target from the hardening issue: at least
300 requests/s with p99 under 100 ms on a 2-core machine.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
USERS = int(os.environ.get("BENCH_USERS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
GUNICORN_WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "2")
PASSWORD = "bench-pages-password-1"


def _seed() -> tuple[str, dict[str, str]]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from catalogue.models import Pattern
    from catalogue.parameters import defaults
    from governance.models import Membership, Team
    from provisioning import actions
    from provisioning.models import ChangeRequest, Environment

    team, _ = Team.objects.get_or_create(slug="pages-bench", defaults={"name": "Pages bench", "cost_centre": "CC-9"})
    user = User.objects.filter(username="pages-bench").first() or User.objects.create_user("pages-bench")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": "lead"})
    version = Pattern.objects.get(slug="dev-environment").current_version
    change = None
    for n in range(20):
        name = f"page-{n:02d}"
        if not Environment.objects.filter(team=team, name=name).exists():
            change = actions.request_environment(actor=user, team=team, pattern_version=version, name=name,
                                                 tier="dev", ttl_days=None,
                                                 parameters=defaults(version.parameters_schema))  # fmt: skip
    change = change or ChangeRequest.objects.filter(environment__team=team).first()
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
    session.create()
    return session.session_key, {
        "plain Django page (sign-in, baseline)": "/accounts/login/",
        "catalogue": "/catalogue/",
        "team dashboard (20 environments)": f"/teams/{team.slug}/",
        "change page": f"/changes/{change.pk}/",
    }


def bench_pages() -> list[tuple[str, str, str]]:
    session, pages = _seed()
    from idp_portal.components import free_port

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="idp-bench-pages-"))
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "idp_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", GUNICORN_WORKERS,
         "--threads", "4", "--log-level", "warning"],
        env=env, stdout=open(workdir / "gunicorn.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    rows = []
    try:
        _wait_for_port(port)
        for label, path in pages.items():
            prefix = workdir / label.split()[0]
            done = subprocess.run(
                [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
                 "-u", str(USERS), "-r", str(USERS), "-t", f"{SECONDS}s", "--host", f"http://127.0.0.1:{port}",
                 "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"],
                env={**env, "BENCH_PATH": path, "BENCH_SESSION": "" if path.startswith("/accounts/") else session},
                check=False, capture_output=True, timeout=SECONDS + 60, text=False,
            )  # fmt: skip
            stats = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv"))}  # noqa: SIM115
            if path not in stats:
                raise RuntimeError(f"locust measured nothing for {path}: {done.stderr.decode()[-2000:]}")
            row = stats[path]
            rps, p99, failures = float(row["Requests/s"]), float(row["99%"]), int(row["Failure Count"])
            verdict = "OK" if rps >= 300 and p99 < 100 and not failures else "MISSED"
            rows.append((f"{label} {path}: requests/s | p99 | failures", f"{rps:.0f} | {p99:.0f} ms | {failures}",
                         f"target >= 300/s, p99 < 100 ms {verdict}"))  # fmt: skip
    finally:
        web.terminate()
        web.wait(30)
    return rows


def _wait_for_port(port: int, timeout: float = 120) -> None:
    """Until gunicorn's workers answer (the port opens before they have imported Django)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline and answered < 10:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
            answered += 1
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    if answered < 10:
        raise RuntimeError(f"gunicorn did not answer on 127.0.0.1:{port}")
