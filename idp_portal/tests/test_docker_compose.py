"""docker-compose.yml cannot run here, so it is checked against the official compose-spec JSON Schema."""

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from jsonschema import Draft201909Validator

SCHEMA = json.loads((Path(__file__).parent / "compose_spec.json").read_text())
# The spec declares draft 2019-09 with a "$schema" spelling jsonschema does not map to it on its own.
VALIDATOR = Draft201909Validator


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def problems(document: dict) -> list[str]:
    validator = VALIDATOR(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_vendored_schema_is_itself_valid_json_schema():
    assert SCHEMA["$schema"].startswith("http://json-schema.org/draft/2019-09/")
    VALIDATOR.check_schema(SCHEMA)


def test_docker_compose_yml_follows_the_compose_specification(compose):
    assert problems(compose) == []


def test_it_names_the_production_services(compose):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(compose["services"])


def test_web_runs_gunicorn_after_migrating_and_syncing_the_catalogue(compose):
    migrate = compose["services"]["migrate"]["command"]
    assert migrate.index("manage.py migrate") < migrate.index("manage.py setup_database_roles")
    command = compose["services"]["web"]["command"]
    assert "gunicorn idp_portal.wsgi" in command
    assert command.index("sync_catalogue") < command.index("gunicorn")
    assert compose["services"]["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_only_the_migrate_service_holds_the_owner_role(compose):
    for name, service in compose["services"].items():
        url = (service.get("environment") or {}).get("DATABASE_URL", "")
        if name == "migrate":
            assert url.startswith("postgres://idp:")
        elif url:
            assert url.startswith("postgres://idp_app:"), name


def test_no_secret_has_a_default_value():
    text = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    for variable in re.findall(r"\$\{([A-Z_]*(?:PASSWORD|SECRET_KEY)[A-Z_]*)([^}]*)\}", text):
        assert variable[1].startswith(":?"), f"{variable[0]} must be required (${{{variable[0]}:?...}}), not defaulted"


def test_cloud_credentials_reach_only_the_worker_that_runs_terraform(compose):
    holders = {
        name
        for name, service in compose["services"].items()
        for key in (service.get("environment") or {})
        if key.startswith("AWS_")
        and key not in {"AWS_REGION", "AWS_ENDPOINT_URL"}
        or key == "TERRAFORM_STATE_DATABASE_URL"
    }
    assert holders == {"worker"}


@pytest.mark.parametrize(
    ("service", "words"), [("worker", "python -m idp_portal worker"), ("beat", "python -m idp_portal beat")]
)
def test_the_celery_services_run_a_worker_and_beat(compose, service, words):
    assert compose["services"][service]["command"].startswith(words)


def test_postgres_and_redis_are_the_official_images_with_health_checks(compose):
    assert compose["services"]["postgres"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["postgres"]["healthcheck"] and compose["services"]["redis"]["healthcheck"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_services_use_postgres_and_redis_once_they_are_healthy(compose, service):
    definition = compose["services"][service]
    assert definition["environment"]["DATABASE_URL"].startswith("postgres://")
    assert definition["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert definition["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c["services"]["web"].update(comand="gunicorn"),  # a typo in a key
        lambda c: c["services"]["web"].update(ports="8000:8000"),  # a string where a list belongs
        lambda c: c["services"]["redis"]["healthcheck"].update(retries="many"),
        lambda c: c.update(services=[{"name": "web"}]),
    ],
    ids=["misspelt key", "ports not a list", "retries not a number", "services not a mapping"],
)
def test_a_broken_copy_fails_the_validation(compose, breakage):
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert problems(broken) != []
