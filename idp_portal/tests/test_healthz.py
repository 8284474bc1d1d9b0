"""`/healthz` for load balancers: 200 when the database, the broker, the terraform binary and the policies
are fine; 503 naming what is wrong otherwise. Answered by address, over plain HTTP, without signing in."""

import pytest
from django.test import Client

from governance.tests.conftest import copy_policies, point_policies_at
from provisioning import health

pytestmark = pytest.mark.django_db

BROKEN = "package idp.plan.broken\n\nimport rego.v1\n\nviolations contains v if {\n\tv := input.plan.\n}\n"


@pytest.fixture(autouse=True)
def fresh_terraform_answer(monkeypatch):
    monkeypatch.setattr(health, "_terraform_answer", None)


def probe(**extra):
    return Client().get("/healthz", **extra)


def test_a_healthy_portal_answers_200_with_each_check():
    response = probe()
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert set(body["checks"]) == {"database", "broker", "terraform", "policies"}
    assert body["checks"]["terraform"]["detail"].startswith("1.")
    assert body["checks"]["policies"]["detail"].endswith("policies")
    assert "redis://" in body["checks"]["broker"]["detail"] and response["Cache-Control"] == "no-store"


def test_a_missing_terraform_binary_answers_503_naming_it(settings):
    settings.TERRAFORM_BIN = "/nowhere/terraform"
    response = probe()
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    [problem] = response.json()["problems"]
    assert problem.startswith("terraform: /nowhere/terraform cannot be run")


def test_an_unreachable_broker_answers_503(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = probe()
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_a_policy_set_that_does_not_compile_answers_503(tmp_path, monkeypatch):
    root = copy_policies(tmp_path)
    (root / "plan" / "broken.rego").write_text(BROKEN)
    point_policies_at(monkeypatch, root)
    response = probe()
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("policies: the policy set does not compile")


def test_a_database_that_fails_answers_503(monkeypatch):
    def down():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = probe()
    assert response.status_code == 503
    assert response.json()["problems"] == ["database: OSError: connection refused"]


def test_a_load_balancer_probing_by_address_over_http_gets_its_answer(settings):
    settings.ALLOWED_HOSTS = ["idp.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = probe(HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
