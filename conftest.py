"""Personas and real components shared by every app's tests.

Personas: alice (payments member), dave (her teammate), bob (analytics: the
outsider), and one reviewer per group: nina (network), sam (security),
pat (platform), fiona (finance).

Integration fixtures start the real things: moto server, Celery workers on
Redis against the test PostgreSQL database, the terraform binary.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from governance.choices import MembershipRole

BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery"


def make_user(username: str, *, team=None, role=MembershipRole.MEMBER, groups=(), **extra):
    from django.contrib.auth.models import Group, User

    from governance.models import Membership

    user = User.objects.create_user(username, email=f"{username}@example.com", password=PASSWORD, **extra)
    if team is not None:
        Membership.objects.create(user=user, team=team, role=role)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def payments(db):
    from governance.models import Team

    return Team.objects.create(name="Payments", slug="payments", cost_centre="CC-1001", monthly_budget=Decimal(5000))


@pytest.fixture
def analytics(db):
    from governance.models import Team

    return Team.objects.create(name="Analytics", slug="analytics", cost_centre="CC-2002", monthly_budget=Decimal(8000))


@pytest.fixture
def alice(payments):
    return make_user("alice", team=payments, role=MembershipRole.LEAD)


@pytest.fixture
def dave(payments):
    return make_user("dave", team=payments)


@pytest.fixture
def bob(analytics):
    return make_user("bob", team=analytics, role=MembershipRole.LEAD)


@pytest.fixture
def nina(db):
    return make_user("nina", groups=["network"])


@pytest.fixture
def sam(db):
    return make_user("sam", groups=["security"])


@pytest.fixture
def pat(db):
    return make_user("pat", groups=["platform"])


@pytest.fixture
def fiona(db):
    return make_user("fiona", groups=["finance"])


@pytest.fixture
def catalogue(db):
    """The shipped patterns, loaded the way `sync_catalogue` loads them."""
    from catalogue.models import Pattern
    from catalogue.services import sync_catalogue

    sync_catalogue(settings.PATTERNS_DIR)
    return {p.slug: p for p in Pattern.objects.prefetch_related("versions")}


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# -- real components ---------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what} after {timeout} s")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - local test endpoint
            return response.status < 500
    except OSError:
        return False


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """A real moto server (the sandbox cloud's AWS API) for the whole session."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _http_ok(f"{endpoint}/moto-api/"), 30, "moto server")
        yield endpoint
    finally:
        process.terminate()
        process.wait(10)
        log.close()


class WorkerProcess:
    """A Celery worker in its own process, as in production; can be killed to test crashes."""

    def __init__(self, env: dict, log_path: Path, concurrency: int = 2):
        self.env, self.log_path, self.concurrency = env, log_path, concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        argv = [str(BIN / "celery"), "-A", "idp_portal", "worker", "-l", "info", "-n", self.name,
                "-Q", self.env["CELERY_QUEUE"], "-c", str(self.concurrency),
                "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(lambda: b" ready." in self.log_path.read_bytes(), 60, "the Celery worker to be ready")
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crashed machine would."""
        os.killpg(self.process.pid, 9)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        if self.log and not self.log.closed:
            self.log.close()


@pytest.fixture(scope="session")
def worker_env(django_db_setup, moto_endpoint, tmp_path_factory) -> dict:
    """Environment for worker processes: the test database, Redis, the session's queue and moto."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "idp_portal.test_settings",
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "AWS_ENDPOINT_URL": moto_endpoint,
            "IDP_VAR_DIR": str(settings.VAR_DIR),
            "RUN_HEARTBEAT_SECONDS": "1",
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture(scope="session")
def celery_worker_process(worker_env, tmp_path_factory):
    worker = WorkerProcess(worker_env, tmp_path_factory.mktemp("worker") / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def sandbox(transactional_db, celery_worker_process, moto_endpoint, settings):
    """Everything a change needs to really run: workers, terraform, the sandbox cloud."""
    settings.AWS_ENDPOINT_URL = moto_endpoint
    return {"endpoint": moto_endpoint, "worker": celery_worker_process}
