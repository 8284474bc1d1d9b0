"""Structured logs: every line names the request, and the change, run and environment it is about."""

import io
import json
import logging

import pytest
from django.test import Client

from conftest import client_for, request_change
from idp_portal.log_context import ContextFilter, JsonFormatter, log_context
from provisioning import executor

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The root logger's output as the production handler writes it (JSON, ids added by the filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_line_logged_inside_a_context_carries_its_ids(json_lines):
    with log_context(change_id=7, run_id=12):
        logging.getLogger("anything").warning("terraform said %s", "hello")
    logging.getLogger("anything").warning("outside")
    inside, outside = json_lines()
    assert (inside["change_id"], inside["run_id"], inside["message"], inside["level"]) == (7, 12, "terraform said hello",
                                                                                           "WARNING")  # fmt: skip
    assert (outside["change_id"], outside["run_id"]) == ("-", "-")


def test_a_request_for_a_change_logs_its_change_id_and_request_id(json_lines, alice):
    response = client_for(alice).get("/changes/999999/", HTTP_X_REQUEST_ID="req-abc")
    assert response.status_code == 404 and response["X-Request-ID"] == "req-abc"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert (line["request_id"], line["change_id"]) == ("req-abc", 999999)


def test_every_request_gets_a_request_id():
    response = Client().get("/accounts/login/")
    assert len(response["X-Request-ID"]) == 16


def test_every_line_of_a_run_carries_the_run_change_and_environment(json_lines, alice, payments, dev_environment,
                                                                    settings):  # fmt: skip
    # given a queued plan whose terraform cannot even start
    change = request_change(alice, payments, dev_environment, name="box")
    run = change.runs.get()
    settings.TERRAFORM_BIN = "/nowhere/terraform"

    # when a worker executes it
    executor.execute_run(run.pk, worker="test-worker")

    # then every line it logged names the run, the change and the environment
    lines = [line for line in json_lines() if line["logger"].startswith("provisioning")]
    assert len(lines) >= 2
    assert {(line["run_id"], line["change_id"], line["environment_id"]) for line in lines} == {
        (run.pk, change.pk, change.environment_id)
    }
    assert lines[0]["message"] == f"plan run {run.pk} started on test-worker"


def test_every_handler_line_passes_the_ids_filter(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["ids"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "idp_portal.log_context.JsonFormatter"
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False  # workers keep this configuration
