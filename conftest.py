"""Personas and real components shared by every app's tests.

Personas: alice (payments member), dave (her teammate), bob (analytics: the
outsider), and one reviewer per group: nina (network), sam (security),
pat (platform), fiona (finance).

Integration fixtures start the real things: moto server, Celery workers on
Redis against the test PostgreSQL database, the terraform binary.
"""

from __future__ import annotations

import functools
import shutil
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from governance.choices import MembershipRole
from idp_portal.components import MotoServer, WebhookReceiver, WorkerProcess, worker_environment

PASSWORD = "correct-horse-battery"


def pytest_addoption(parser):
    parser.addoption(
        "--chaos", action="store_true", help="Also the tests marked chaos: the full crash-point matrix (make chaos)."
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked chaos run under `make chaos` (pytest --chaos); the suite runs a slice of each matrix."""
    if config.getoption("--chaos"):
        return
    chaos = [item for item in items if item.get_closest_marker("chaos")]
    if chaos:
        config.hook.pytest_deselected(items=chaos)
        items[:] = [item for item in items if not item.get_closest_marker("chaos")]


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


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


@functools.cache
def shipped_pattern_specs():
    """The shipped pattern files, read and validated once per test session."""
    from catalogue.pattern_files import discover

    specs, errors = discover(settings.PATTERNS_DIR)
    assert not errors, errors
    return specs


@pytest.fixture
def catalogue(db):
    """The shipped patterns, loaded the way `sync_catalogue` loads them."""
    from catalogue.models import Pattern
    from catalogue.services import load_catalogue

    load_catalogue(shipped_pattern_specs(), settings.PATTERNS_DIR)
    return {p.slug: p for p in Pattern.objects.prefetch_related("versions")}


TEST_PATTERNS = Path(__file__).parent / "provisioning" / "tests" / "patterns"


@pytest.fixture
def test_patterns(db, tmp_path):
    """scratch-bucket (provisioning/tests/patterns/) and broken-module, a copy of it whose module
    passes the catalogue checks but refers to an undeclared resource; both loaded into the catalogue."""
    from catalogue.models import Pattern
    from catalogue.services import sync_catalogue

    root = tmp_path / "test-patterns"
    shutil.copytree(TEST_PATTERNS, root)
    broken = root / "broken-module"
    shutil.copytree(root / "scratch-bucket", broken)
    yaml_file = broken / "pattern.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("Scratch bucket (test pattern)", "Broken module (test pattern)"))
    module = broken / "terraform" / "main.tf"
    module.write_text(
        module.read_text().replace("bucket = aws_s3_bucket.this.id", "bucket = aws_s3_bucket.missing.id", 1)
    )
    sync_catalogue(root)
    return {p.slug: p for p in Pattern.objects.filter(slug__in=["scratch-bucket", "broken-module"])}


def request_change(
    actor,
    team,
    pattern,
    *,
    name: str = "checkout",
    tier: str = "dev",
    ttl_days=None,
    source="api",
    reason="",
    **parameters,
):
    """Request an environment through the action, as every door does: the pattern's (or version's)
    defaults overridden by `parameters`. The one request factory of the suite."""
    from catalogue.models import Pattern
    from catalogue.parameters import defaults
    from provisioning import actions

    version = pattern.current_version if isinstance(pattern, Pattern) else pattern
    return actions.request_environment(
        actor=actor,
        team=team,
        pattern_version=version,
        name=name,
        tier=tier,
        ttl_days=ttl_days,
        parameters={**defaults(version.parameters_schema), **parameters},
        reason=reason,
        source=source,
    )


@pytest.fixture
def web_app(catalogue):
    """The current version of the public-facing web application."""
    return catalogue["web-app"].current_version


@pytest.fixture
def dev_environment(catalogue):
    return catalogue["dev-environment"].current_version


@pytest.fixture
def awaiting(alice, payments, web_app):
    """alice's web application (dev), planned, every policy passed: it waits for network and security."""
    from provisioning.choices import ChangeStatus
    from provisioning.tests.plans import captured_plan, finish_plan

    change = finish_plan(request_change(alice, payments, web_app), captured_plan("web-app-dev"))
    assert change.status == ChangeStatus.AWAITING_APPROVAL, change.failure_reason or change.policy_results
    return change


@pytest.fixture
def rejected_open_database(alice, payments, web_app):
    """alice's web application with its database open to the internet, rejected by the plan policies."""
    from provisioning.choices import ChangeStatus
    from provisioning.tests.plans import captured_plan, finish_plan, with_database_open_to

    plan = with_database_open_to(captured_plan("web-app-dev"), ["0.0.0.0/0"])
    change = finish_plan(request_change(alice, payments, web_app, database_ingress_cidrs=["0.0.0.0/0"]), plan)
    assert change.status == ChangeStatus.REJECTED, change.failure_reason
    return change


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# -- real components ---------------------------------------------------------
@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """A real moto server (the sandbox cloud's AWS API) for the whole session."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_endpoint(moto_server) -> str:
    return moto_server.endpoint


@pytest.fixture(scope="session")
def worker_mailbox(tmp_path_factory):
    """Folder where worker processes write the e-mails they send (Django's file-based backend)."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def worker_env(django_db_setup, moto_endpoint, worker_mailbox) -> dict:
    """Environment for worker processes: the test database, Redis, moto, fast heartbeats."""
    return worker_environment(
        settings.DATABASES["default"],
        DJANGO_SETTINGS_MODULE="idp_portal.test_settings",
        REDIS_URL=settings.REDIS_URL,
        AWS_ENDPOINT_URL=moto_endpoint,
        IDP_VAR_DIR=str(settings.VAR_DIR),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(worker_mailbox),
    )


@pytest.fixture(scope="session")
def celery_worker_process(worker_env, tmp_path_factory):
    worker = WorkerProcess(
        worker_env, tmp_path_factory.mktemp("worker") / "worker.log", queue=settings.CELERY_TASK_DEFAULT_QUEUE
    ).start()
    yield worker
    worker.stop()


@pytest.fixture
def slack():
    """A local receiver standing in for Slack's incoming webhooks."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def sandbox(transactional_db, celery_worker_process, moto_server, settings):
    """Everything a change needs to really run: a worker, terraform, an empty sandbox cloud."""
    # Primary keys restart after every transactional test, and resource names contain them:
    # each test gets a clean cloud so names never collide with a previous test's leftovers.
    moto_server.reset()
    settings.AWS_ENDPOINT_URL = moto_server.endpoint
    return {"endpoint": moto_server.endpoint, "worker": celery_worker_process}


@pytest.fixture
def aws(sandbox):
    """boto3 clients for the sandbox cloud."""

    def client(service: str, region: str = "eu-west-1"):
        return boto3.client(
            service,
            endpoint_url=sandbox["endpoint"],
            region_name=region,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )

    return client


# -- the browser ---------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"  # Debian's browser; never one downloaded by a test tool
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        # expect() has its own default (5 s), which a page waiting on a worker outlasts on a busy machine.
        expect.set_options(timeout=15_000)
        try:
            yield page
        finally:
            browser.close()
            # Inside Playwright's loop Django hands out other (context-local) connections: close them here,
            # or an idle session stops the test database from being dropped at the end of the run.
            connections.close_all()


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
