"""The API as a script or the CLI meets it: errors naming fields and policies, tokens that expire, are
revoked or narrowed, the same request twice, throttling, pages and filters, polling, following a log."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import client_for, request_change
from governance import tokens
from governance.choices import AuditAction, TokenScope
from governance.models import ApiToken, AuditEvent
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.models import ChangeRequest, Environment, Run

pytestmark = pytest.mark.django_db

BOX = {"team": "payments", "pattern": "dev-environment", "name": "box", "tier": "dev"}


def api_for(user, scope=TokenScope.WRITE, days=1) -> APIClient:
    _, text = tokens.create_token(actor=user, name="test", scope=scope, days=days)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {text}")


# -- requests and their refusals ----------------------------------------------------------------
def test_a_request_with_only_name_and_pattern_takes_the_defaults_and_is_followed(alice, dev_environment):
    api = api_for(alice)
    response = api.post("/api/v1/environments/", BOX, format="json")

    assert response.status_code == 202
    change = ChangeRequest.objects.get(pk=response.json()["id"])
    assert (change.source, change.status, change.environment.name) == (ChangeSource.API, ChangeStatus.CHECKING, "box")
    assert change.parameters["instance_type"] == "t3.micro"
    assert response["Location"].endswith(f"/api/v1/changes/{change.pk}/")
    followed = api.get(response["Location"]).json()
    assert followed["status"] == "checking" and followed["runs"][0]["kind"] == "plan"


def test_a_bad_value_names_the_field_and_changes_nothing(alice, dev_environment):
    response = api_for(alice).post("/api/v1/environments/", {**BOX, "parameters": {"volume_size_gb": 5000}},
                                   format="json")  # fmt: skip

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": "Some values need a change.",
                                         "fields": {"volume_size_gb": ["Enter a value of at most 100."]},
                                         "violations": []}}  # fmt: skip
    assert not Environment.objects.exists()


def test_unknown_pattern_team_and_version_say_so(alice, dev_environment):
    api = api_for(alice)
    assert api.post("/api/v1/environments/", {**BOX, "pattern": "mainframe"}, format="json").json()["error"][
        "fields"] == {"pattern": ["There is no pattern 'mainframe' in the catalogue."]}  # fmt: skip
    assert (
        "team" in api.post("/api/v1/environments/", {**BOX, "team": "nobody"}, format="json").json()["error"]["fields"]
    )
    assert api.post("/api/v1/environments/", {**BOX, "version": "9.9.9"}, format="json").json()["error"][
        "fields"] == {"version": ["dev-environment has no version 9.9.9."]}  # fmt: skip
    assert not Environment.objects.exists()


def test_a_pattern_alias_and_a_size_preset_are_resolved_by_the_server(alice, dev_environment):
    api = api_for(alice)
    patterns = {p["slug"]: p for p in api.get("/api/v1/patterns/").json()["results"]}
    assert patterns["dev-environment"]["aliases"] == ["app-environment"]
    assert patterns["dev-environment"]["current_version"]["sizes"]["medium"] == {"instance_type": "t3.small",
                                                                                 "volume_size_gb": 40}  # fmt: skip
    body = {**BOX, "pattern": "app-environment", "size": "medium", "parameters": {"volume_size_gb": 30}}
    response = api.post("/api/v1/environments/", body, format="json")
    assert response.status_code == 202
    change = ChangeRequest.objects.get(pk=response.json()["id"])
    assert change.environment.pattern_version == dev_environment
    assert change.parameters["instance_type"] == "t3.small"  # from the size
    assert change.parameters["volume_size_gb"] == 30  # given explicitly: wins over the size


def test_an_unknown_size_names_the_sizes_there_are(alice, dev_environment):
    response = api_for(alice).post("/api/v1/environments/", {**BOX, "size": "huge"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "size": ["There is no size 'huge': choose one of small, medium, large."]
    }
    assert not Environment.objects.exists()


def test_a_policy_violation_comes_back_with_the_policy_and_the_field(alice, dev_environment):
    response = api_for(alice).post("/api/v1/environments/", {**BOX, "name": "shop-prod"}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "policy_violation" and error["change"]
    [violation] = error["violations"]
    assert (violation["policy"], violation["field"], violation["severity"]) == ("params-naming", "name", "deny")
    assert violation["message"] == "A dev environment must not be named like production ('prod')."
    assert violation["remediation"] == "Remove 'prod' from the name."


def test_the_same_create_twice_makes_one_environment(alice, dev_environment):
    api = api_for(alice)
    first = api.post("/api/v1/environments/", BOX, format="json")
    second = api.post("/api/v1/environments/", BOX, format="json")

    assert first.status_code == 202 and second.status_code == 400
    assert second.json()["error"]["fields"] == {
        "name": ["Your team already has an environment called 'box'; choose another name."]
    }
    assert Environment.objects.count() == 1


def test_nul_characters_are_refused_not_a_server_error(alice, dev_environment):
    api = api_for(alice)
    assert api.post("/api/v1/environments/", {**BOX, "name": "box\x00"}, format="json").status_code == 400
    assert api.get("/api/v1/environments/?team=pay%00ments").status_code == 400
    assert not Environment.objects.exists()


# -- tokens -------------------------------------------------------------------------------------
def test_an_expired_token_is_refused_and_changes_nothing(alice, dev_environment):
    api = api_for(alice)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = api.post("/api/v1/environments/", BOX, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("This token expired on ")
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Environment.objects.exists()


def test_a_revoked_token_stops_working_at_once(alice, client):
    api = api_for(alice, scope=TokenScope.READ)
    assert api.get("/api/v1/environments/").status_code == 200
    token = ApiToken.objects.get()

    client.force_login(alice)
    client.post(f"/account/tokens/{token.pk}/revoke/")

    response = api.get("/api/v1/environments/")
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


@pytest.mark.parametrize("text", ["idp_nope", "idp_0123456789ab_wrong", "Token abc", "idp_0123456789ab_"])
def test_unknown_or_malformed_tokens_are_refused(alice, text):
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {text}").get("/api/v1/environments/")
    assert response.status_code == 401


def test_a_read_token_cannot_write_and_an_approve_token_cannot_request(alice, dev_environment):
    for scope in (TokenScope.READ, TokenScope.APPROVE):
        response = api_for(alice, scope=scope).post("/api/v1/environments/", BOX, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["message"] == (
            "This token's scope does not allow it; create a token with the write scope."
        )
    assert not Environment.objects.exists()


def test_a_token_acts_as_its_user_no_more(bob, payments, dev_environment):
    response = api_for(bob).post("/api/v1/environments/", BOX, format="json")
    assert response.status_code == 403
    assert "payments" in response.json()["error"]["message"]


def test_the_tokens_page_shows_a_new_token_once_and_only_its_prefix_after(alice):
    client = client_for(alice)
    created = client.post("/account/tokens/", {"name": "laptop", "scope": "write", "days": 30})
    page = created.content.decode()
    text = page.split('<code id="token-value">')[1].split("</code>")[0]
    assert text.startswith("idp_") and created["Cache-Control"] == "no-store"
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {text}").get("/api/v1/teams/").status_code == 200

    later = client.get("/account/tokens/").content.decode()
    assert text not in later and ApiToken.objects.get().prefix in later
    assert ApiToken.objects.get().secret_hash not in later and text.split("_", 2)[2] not in later


def test_a_bad_token_form_says_what_to_change(alice):
    response = client_for(alice).post("/account/tokens/", {"name": "", "scope": "root", "days": 9999})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_nobody_revokes_anothers_token(alice, bob):
    api_for(alice)
    token = ApiToken.objects.get()
    response = client_for(bob).post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert "No such token, or it is not yours." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_create_token_prints_a_working_token(alice):
    out = StringIO()
    call_command("create_token", "alice", "--scope", "write", "--days", "7", stdout=out)
    text = out.getvalue().strip()
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {text}").get("/api/v1/patterns/").status_code == 200
    assert ApiToken.objects.get().scope == "write"


@pytest.mark.parametrize(("args", "message"), [
    (["nobody"], "No active user 'nobody'"),
    (["alice", "--days", "0"], "A token lives from 1 to 366 days"),
])  # fmt: skip
def test_create_token_refuses_bad_input(alice, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_token", *args, stdout=StringIO())
    assert not ApiToken.objects.exists()


# -- throttling, pages, filters, polling ------------------------------------------------------------
def test_a_token_over_its_rate_is_told_to_wait(alice, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = SimpleRateThrottle.THROTTLE_RATES
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/minute"}}
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        api = api_for(alice, scope=TokenScope.READ)
        statuses = [api.get("/api/v1/patterns/").status_code for _ in range(4)]
        other = api_for(alice, scope=TokenScope.READ).get("/api/v1/patterns/")
    finally:
        SimpleRateThrottle.THROTTLE_RATES = rates
    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200  # per token


def test_lists_are_paged_and_filtered(alice, payments, dev_environment, catalogue):
    for n in range(3):
        request_change(alice, payments, dev_environment, name=f"box-{n}")
    request_change(alice, payments, catalogue["message-queue"], name="queue", tier="test")
    api = api_for(alice, scope=TokenScope.READ)

    page = api.get("/api/v1/environments/?limit=2").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and "offset=2" in page["next"]
    tiers = api.get("/api/v1/environments/?tier=test").json()
    assert [e["name"] for e in tiers["results"]] == ["queue"]
    assert [e["name"] for e in api.get("/api/v1/environments/?pattern=message-queue").json()["results"]] == ["queue"]
    assert api.get("/api/v1/environments/?search=box-1").json()["count"] == 1


def test_polling_gets_only_what_changed_and_a_304_when_nothing_did(alice, payments, dev_environment):
    change = request_change(alice, payments, dev_environment, name="box")
    api = api_for(alice, scope=TokenScope.READ)
    first = api.get(f"/api/v1/changes/{change.pk}/")
    assert first["ETag"]
    assert api.get(f"/api/v1/changes/{change.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    later = (change.updated_at + timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/changes/", {"updated_after": later}).json()["count"] == 0
    ChangeRequest.objects.filter(pk=change.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    assert api.get("/api/v1/changes/", {"updated_after": later}).json()["count"] == 1


def test_a_run_log_is_followed_by_offset(alice, payments, dev_environment):
    change = request_change(alice, payments, dev_environment, name="box")
    run = change.runs.get()
    Run.objects.filter(pk=run.pk).update(log="line one\nline two\n", status="running")
    api = api_for(alice, scope=TokenScope.READ)

    first = api.get(f"/api/v1/runs/{run.pk}/log/").json()
    assert first == {"text": "line one\nline two\n", "offset": 18, "finished": False, "status": "running"}
    Run.objects.filter(pk=run.pk).update(log="line one\nline two\nApply complete!\n", status="succeeded")
    second = api.get(f"/api/v1/runs/{run.pk}/log/", {"offset": 18}).json()
    assert second == {"text": "Apply complete!\n", "offset": 34, "finished": True, "status": "succeeded"}
