"""The OpenAPI schema: generated from the code, equal to the one committed (so a client author reads the
truth), valid, served with its Swagger UI from our own static files; and a property-based run of every
operation (schemathesis) that never makes the server fail."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from conftest import request_change
from governance import tokens
from governance.choices import TokenScope

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "api" / "openapi.yaml"


def generated_schema(tmp_path) -> dict:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


@pytest.mark.django_db
def test_the_committed_schema_is_what_the_code_serves(tmp_path):
    assert SCHEMA_FILE.exists(), "run `make schema` to write idp_portal/api/openapi.yaml"
    assert generated_schema(tmp_path) == yaml.safe_load(SCHEMA_FILE.read_text()), (
        "The API changed: run `make schema` and commit idp_portal/api/openapi.yaml"
    )


@pytest.mark.django_db
def test_the_docs_page_is_served_without_a_cdn(client, alice):
    client.force_login(alice)
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert client.get("/api/v1/schema/").status_code == 200


@pytest.fixture
def api(db, alice, payments, dev_environment, awaiting):
    request_change(alice, payments, dev_environment, name="box")
    _, token = tokens.create_token(actor=alice, name="schemathesis", scope=TokenScope.WRITE, days=1)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def wsgi_schema(db):
    # Calls go straight into the WSGI app, inside the test's transaction: keep its connection open
    # between requests, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_input_makes_the_server_fail(wsgi_schema, api):
    """Generated requests for every operation (schemathesis' pytest plugin predates pytest 9: driven here)."""
    operations = [result.ok() for result in wsgi_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)  # fmt: skip
        def no_server_error(case):
            case.call_and_validate(headers=api, checks=[not_a_server_error])

        no_server_error()
