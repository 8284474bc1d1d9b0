"""What a run needs from settings: the workspace spec, the terraform CLI configuration."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.conf import settings
from django.db import connection

from provisioning.models import ChangeRequest, Environment, Run
from provisioning.terraform.workspace import LocalState, PostgresState, WorkspaceSpec

STATE_SCHEMA = "terraform_state"
# Credentials and settings a real-AWS deployment passes to terraform's provider.
AWS_ENV_PASSTHROUGH = (
    "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
    "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE", "HTTPS_PROXY", "NO_PROXY",
)  # fmt: skip


def resource_prefix(environment: Environment) -> str:
    """Unique across teams and re-uses of a name; short enough for load balancer names (32)."""
    return f"{environment.name}-{environment.pk}"


def state_database() -> dict:
    """Where Terraform's pg backend keeps state: its own role and database, else the portal's connection."""
    if settings.TERRAFORM_STATE_DATABASE_URL:
        return dj_database_url.parse(settings.TERRAFORM_STATE_DATABASE_URL)
    return connection.settings_dict


def state_config(environment: Environment) -> LocalState | PostgresState:
    if settings.TERRAFORM_STATE_BACKEND == "pg":
        db = state_database()
        user = quote(db.get("USER") or "postgres", safe="")
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        sslmode = (db.get("OPTIONS") or {}).get("sslmode", "disable")
        return PostgresState(
            conn_str=f"postgres://{user}@{host}:{port}/{quote(db['NAME'], safe='')}?sslmode={sslmode}",
            schema_name=STATE_SCHEMA,
            workspace=environment.state_key,
            password=db.get("PASSWORD") or "",
        )
    return LocalState(path=settings.TERRAFORM_DIR / "state" / environment.state_key / "terraform.tfstate")


def workspace_spec(environment: Environment, change: ChangeRequest | None, run: Run | None = None) -> WorkspaceSpec:
    """The run's workspace: a preview's own version and parameters, else its change's, else what runs."""
    version, parameters = environment.pattern_version, environment.parameters
    if change is not None:
        version, parameters = change.target_version, change.parameters or parameters
    if run is not None and run.target_version_id:
        version, parameters = run.target_version, run.parameters or parameters
    tags = {**environment.tags, "pattern": f"{version.pattern.slug}@{version.version}"}
    variables = {
        **parameters,
        "name": resource_prefix(environment),
        "tier": environment.tier,
        "tags": tags,
    }
    if settings.SANDBOX_CLOUD:
        extra_env = {
            "AWS_ENDPOINT_URL": settings.AWS_ENDPOINT_URL,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            # Knobs of the sandbox provider itself (see sandbox/README.md).
            **{key: value for key, value in os.environ.items() if key.startswith("SANDBOX_")},
        }
    else:
        extra_env = {key: os.environ[key] for key in AWS_ENV_PASSTHROUGH if key in os.environ}
    return WorkspaceSpec(
        module_files=version.module_files,
        variables=variables,
        region=parameters.get("region", settings.AWS_DEFAULT_REGION),
        default_tags=tags,
        state=state_config(environment),
        sandbox_endpoint=settings.AWS_ENDPOINT_URL if settings.SANDBOX_CLOUD else None,
        extra_env=extra_env,
        aws_provider_version=settings.TERRAFORM_AWS_PROVIDER_VERSION,
    )


def provide_sandbox_platform_keys(spec: WorkspaceSpec) -> None:
    """Create, in the sandbox cloud, the platform keys the module looks up (on AWS the platform team has)."""
    if not spec.sandbox_endpoint:
        return
    from sandbox.platform_keys import ALARM_KEY_ALIAS, ensure_sandbox_platform_keys

    if any(ALARM_KEY_ALIAS in text for text in spec.module_files.values()):
        ensure_sandbox_platform_keys(spec.sandbox_endpoint, spec.region)


@lru_cache(maxsize=1)
def cli_config_file() -> Path:
    """The terraform CLI configuration: the sandbox provider mirror, or the public registry."""
    folder = settings.TERRAFORM_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("terraformrc.sandbox" if settings.SANDBOX_CLOUD else "terraformrc")
    plugin_cache_dir().mkdir(parents=True, exist_ok=True)
    if settings.SANDBOX_CLOUD:
        from sandbox.mirror import build_mirror, write_cli_config

        mirror = build_mirror(folder / "mirror")
        write_cli_config(path, mirror, plugin_cache_dir())
    else:
        path.write_text(f'plugin_cache_dir = "{plugin_cache_dir()}"\n')
    return path


def plugin_cache_dir() -> Path:
    return settings.TERRAFORM_DIR / "plugin-cache"


def workspaces_dir() -> Path:
    return settings.TERRAFORM_DIR / "workspaces"
