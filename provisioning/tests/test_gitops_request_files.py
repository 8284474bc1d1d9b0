"""Request files through the API: each problem names the file, line and field; validate changes nothing;
apply goes through the actions and is idempotent."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import jsonschema
import pytest
import yaml
from rest_framework.test import APIClient

from governance import tokens
from governance.choices import TokenScope
from governance.models import AuditEvent
from provisioning.models import ChangeRequest, Environment

pytestmark = pytest.mark.django_db

BOX = textwrap.dedent("""\
    apiVersion: idp/v1
    kind: Environment
    metadata:
      team: payments
      name: box
    spec:
      pattern: dev-environment
      version: 1.1.0
      tier: dev
      ttl_days: 5
      parameters:
        volume_size_gb: 40
""")


@pytest.fixture
def api(alice, dave, bob, catalogue):
    def client(user, scope=TokenScope.WRITE):
        _, token = tokens.create_token(actor=user, name="t", scope=scope, days=1)
        return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")

    return client


def validate(client, *files):
    response = client.post("/api/v1/request-files/validate/",
                           {"files": [{"path": p, "content": c} for p, c in files]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


def texts(result) -> list[str]:
    return [p["text"] for f in result["files"] for p in f["problems"]]


def test_a_valid_file_is_quoted_and_nothing_is_stored(api, alice):
    client = api(alice, TokenScope.READ)
    events = AuditEvent.objects.count()
    result = validate(client, ("envs/box.yaml", BOX))
    [file] = result["files"]
    assert result["valid"] and file["action"] == "create" and file["problems"] == []
    assert file["quote"]["monthly"].startswith("$") and file["quote"]["budget"]["mode"] == "approve"
    assert not Environment.objects.exists() and not ChangeRequest.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("    colour: red\n", "  name: box\n"), "envs/box.yaml:6: metadata.colour: Unknown key `colour`"),
        (
            ("dev-environment", "dev-envirnoment"),
            "envs/box.yaml:7: spec.pattern: There is no pattern 'dev-envirnoment'",
        ),
        (("1.1.0", "9.9.9"), "envs/box.yaml:8: spec.version: dev-environment has no version '9.9.9'; it has 1.1.0"),
        (("40", "5000"), "envs/box.yaml:12: spec.parameters.volume_size_gb: Enter a value of at most 100."),
        (("ttl_days: 5", "ttl_days: 30"), "envs/box.yaml:10: spec.ttl_days: The dev tier allows at most 14 days"),
        (
            ("team: payments", "team: analytics"),
            "envs/box.yaml:4: metadata.team: You are not a member of team 'analytics'",
        ),
        (("name: box", "name: Box!"), "envs/box.yaml:5: metadata.name:"),
        (("apiVersion: idp/v1", "apiVersion: idp/v2"), "envs/box.yaml:1: apiVersion: Must be idp/v1, not 'idp/v2'."),
        (("  tier: dev\n", "  tier: [dev\n"), "envs/box.yaml:10: Not valid YAML"),
    ],
)
def test_each_mistake_is_reported_at_its_line_naming_the_field(api, alice, edit, expected):
    old, new = edit
    content = BOX.replace(old, new) if old != "    colour: red\n" else BOX.replace(new, new + "  colour: red\n")
    result = validate(api(alice), ("envs/box.yaml", content))
    assert not result["valid"]
    assert any(text.startswith(expected) for text in texts(result)), texts(result)


def test_an_unknown_key_does_not_hide_the_other_problems(api, alice):
    content = BOX.replace("  tier: dev\n", "  tier: dev\n  colour: red\n").replace("40", "5000")
    result = validate(api(alice), ("box.yaml", content))
    assert texts(result) == [
        "box.yaml:10: spec.colour: Unknown key `colour`; spec takes pattern, version, tier, size, parameters, "
        "ttl_days, application, reason.",
        "box.yaml:13: spec.parameters.volume_size_gb: Enter a value of at most 100.",
    ]
    response = api(alice).post("/api/v1/request-files/apply/", {"path": "box.yaml", "content": content}, format="json")
    assert response.status_code == 400 and not Environment.objects.exists()


def test_apply_of_a_file_a_policy_refuses_answers_422_at_the_line(api, alice):
    content = BOX.replace("name: box", "name: shop-prod")
    response = api(alice).post("/api/v1/request-files/apply/", {"path": "box.yaml", "content": content}, format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "policy_violation" and error["file"]["change"] == ChangeRequest.objects.get().pk
    assert error["fields"]["metadata.name"][0].startswith("box.yaml:5: metadata.name: [params-naming]")


def test_an_alias_and_a_size_preset_are_understood(api, alice):
    seed = "apiVersion: idp/v1\nkind: Environment\nmetadata: {team: payments, name: dev}\n" \
           "spec:\n  pattern: app-environment\n  size: medium\n"  # fmt: skip
    result = validate(api(alice), ("dev.yaml", seed))
    assert result["valid"] and result["files"][0]["action"] == "create", texts(result)
    huge = validate(api(alice), ("dev.yaml", seed.replace("medium", "huge")))
    assert texts(huge) == ["dev.yaml:6: spec.size: dev-environment 1.1.0: There is no size 'huge': choose one of "
                           "small, medium, large."]  # fmt: skip
    response = api(alice).post("/api/v1/request-files/apply/", {"path": "dev.yaml", "content": seed}, format="json")
    assert response.status_code == 202
    assert {k: ChangeRequest.objects.get().parameters[k] for k in ("instance_type", "volume_size_gb")} == {
        "instance_type": "t3.small", "volume_size_gb": 40}  # fmt: skip


def test_a_parameter_policy_and_the_budget_are_checked(api, alice, payments):
    result = validate(api(alice), ("envs/prod.yaml", BOX.replace("name: box", "name: shop-prod")))
    assert "envs/prod.yaml:5: metadata.name: [params-naming] A dev environment must not be named like production " \
           "('prod'). Fix: Remove 'prod' from the name." in texts(result)  # fmt: skip
    payments.monthly_budget, payments.budget_mode = Decimal("0.10"), "deny"  # less than one day of a box
    payments.save()
    over = validate(api(alice), ("envs/box.yaml", BOX))
    assert not over["valid"] and over["files"][0]["quote"]["budget"]["over_budget"] is True
    assert any("budget" in text for text in texts(over)), texts(over)


def test_apply_creates_then_the_same_file_changes_nothing_and_an_edit_updates(api, alice):
    client = api(alice)
    body = {"path": "envs/box.yaml", "content": BOX}
    created = client.post("/api/v1/request-files/apply/", body, format="json")
    assert created.status_code == 202, created.content
    change = ChangeRequest.objects.get()
    assert (change.action, change.source, change.parameters["volume_size_gb"]) == ("create", "api", 40)

    again = client.post("/api/v1/request-files/apply/", body, format="json")
    assert again.status_code == 200 and again.json()["action"] == "none"
    assert any("already asks for what this file says" in note for note in again.json()["notes"])
    assert ChangeRequest.objects.count() == 1

    Environment.objects.update(status="active")
    ChangeRequest.objects.update(status="applied")
    same = client.post("/api/v1/request-files/apply/", body, format="json")
    assert same.status_code == 200 and same.json()["action"] == "none"
    bigger = client.post("/api/v1/request-files/apply/", {**body, "content": BOX.replace("40", "60")}, format="json")
    assert bigger.status_code == 202 and bigger.json()["action"] == "update"
    assert ChangeRequest.objects.latest("created_at").parameters["volume_size_gb"] == 60


def test_apply_refuses_a_bad_file_with_file_and_line(api, alice):
    response = api(alice).post("/api/v1/request-files/apply/",
                               {"path": "box.yaml", "content": BOX.replace("40", "5000")}, format="json")  # fmt: skip
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["spec.parameters.volume_size_gb"] == [
        "box.yaml:12: spec.parameters.volume_size_gb: Enter a value of at most 100."]  # fmt: skip
    assert not Environment.objects.exists()


def test_a_read_token_may_validate_but_not_apply(api, alice):
    client = api(alice, TokenScope.READ)
    assert validate(client, ("box.yaml", BOX))["valid"]
    response = client.post("/api/v1/request-files/apply/", {"path": "box.yaml", "content": BOX}, format="json")
    assert response.status_code == 403 and not Environment.objects.exists()


def test_the_published_schema_accepts_a_good_file_and_rejects_unknown_keys(client):
    schema = client.get("/api/v1/request-files/schema.json").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(BOX), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**yaml.safe_load(BOX), "extra": 1}, schema)
