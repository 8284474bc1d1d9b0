"""Settings for the test suite: the real settings, pointed at PostgreSQL and Redis by default.

Workers started by the integration fixtures use this module too, with the
test database's name passed in DATABASE_URL.
"""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/idp_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("IDP_VAR_DIR", str(_ROOT / "var" / "test"))
# `make test` runs the suite in parallel processes (pytest-xdist: gw0, gw1…). pytest-django gives each its own
# test database; each also gets its own files (workspaces, plugin cache) and its own Redis database, since
# some tests flush or restart what they use and the other process's queued tasks must not go with it.
# Processes the tests start (workers, the CLI) inherit the split values and the marker saying they are split.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and os.environ.get("IDP_TEST_SPLIT") != _XDIST_WORKER:
    os.environ["IDP_TEST_SPLIT"] = _XDIST_WORKER
    _index = int(_XDIST_WORKER.removeprefix("gw"))
    _redis, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_redis}/{(int(_db or 0) - _index) % 16}"
    os.environ["IDP_VAR_DIR"] = str(Path(os.environ["IDP_VAR_DIR"]) / _XDIST_WORKER)
    os.environ["CELERY_QUEUE"] = f"idp-test-{os.getpid()}"  # not the queue inherited from pytest's controller
os.environ.setdefault("CELERY_QUEUE", f"idp-test-{os.getpid()}")
# The suite runs on PostgreSQL without production's secrets; test_production_settings.py checks production.
os.environ.setdefault("IDP_PRODUCTION", "0")
# A Checkov scan takes ~10 s per pattern version and sync_catalogue loads fresh copies in many tests; the
# tests of the scan (catalogue/tests/test_security_scan.py) turn it on where they need it.
os.environ.setdefault("CATALOGUE_SECURITY_SCAN", "0")

from idp_portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Each test starts with an empty cache: a local-memory cache, cleared by the root conftest. (The broker
# stays on Redis; clearing a Redis cache would also wipe the queues of the workers under test.)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
