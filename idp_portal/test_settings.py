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
