"""Production settings: refuse to start without secrets, hosts and a mail server; HTTPS-only; check --deploy clean.

Each case runs the real settings in a fresh process, as gunicorn, a worker or manage.py would.
"""

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DATABASE_URL": "postgres://idp_app@127.0.0.1:5432/idp",
    "TERRAFORM_STATE_DATABASE_URL": "postgres://idp_tfstate@127.0.0.1:5432/idp_tfstate",
    "SECRET_KEY": "k" * 20 + "-production-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "idp.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.com",
}
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEBUG)"
)


def run(env_overrides: dict, *command: str, tmp_path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION, "IDP_PRODUCTION", "DEMO_MODE"}}
    env.update(DJANGO_SETTINGS_MODULE="idp_portal.settings", IDP_VAR_DIR=str(tmp_path / "var"))
    env.update({key: value for key, value in env_overrides.items() if value is not None})
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
    return subprocess.run([sys.executable, *command], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def start(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    return run(env_overrides, "-c", f"import django; django.setup(); {SHOW}", tmp_path=tmp_path)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_BACKEND"])
def test_production_refuses_to_start_without_each_setting(tmp_path, missing):
    result = start({**PRODUCTION, missing: None}, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()  # never a generated key in production


def test_production_refuses_the_console_mail_backend_that_prints_reset_links(tmp_path):
    result = start({**PRODUCTION, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, tmp_path)
    assert result.returncode != 0
    assert "would print or drop password-reset links" in result.stderr


def test_production_is_https_only_by_default(tmp_path):
    result = start(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True", "False"]


def test_the_demo_keeps_plain_http_and_the_console_mail_backend(tmp_path):
    result = run({}, "-c", f"import django; django.setup(); {SHOW}; print(s.EMAIL_BACKEND)", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0", "False", "False",
                                     "django.core.mail.backends.console.EmailBackend"]  # fmt: skip


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_terraform_with_the_portals_database_role(tmp_path):
    result = run({**PRODUCTION, "TERRAFORM_STATE_DATABASE_URL": None}, "manage.py", "check", "--deploy",
                 tmp_path=tmp_path)  # fmt: skip
    assert result.returncode != 0
    assert "provisioning.E005" in result.stderr


def test_the_demo_database_and_generated_secret_are_readable_by_their_owner_only(tmp_path):
    # given a first run on a fresh machine, with a usual umask
    result = run({}, "-c", "import os; os.umask(0o022); import django; django.setup(); "
                 "from django.core.management import call_command; call_command('migrate', verbosity=0)",
                 tmp_path=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr

    # then
    for name in ("db.sqlite3", "secret_key"):
        assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
