"""The push webhook: only a body signed with a repository's secret (X-Hub-Signature-256) queues its sync;
anything else is refused with 403, logged in the security log, and changes nothing."""

from __future__ import annotations

import json

import pytest

from governance.models import AuditEvent
from provisioning.gitops.signature import sign
from provisioning.models import Repository

pytestmark = pytest.mark.django_db
SECRET = "a long shared secret"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "0" * 40}).encode()


@pytest.fixture
def repository(payments):
    repository = Repository(name="platform-requests", url="/nowhere", branch="main")
    repository.set_webhook_secret(SECRET)
    repository.save()
    repository.teams.add(payments)
    return repository


def push(client, body=PUSH, signature=None, event="push"):
    headers = {"X-GitHub-Event": event}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/gitops/webhook/", body, content_type="application/json", headers=headers)


def test_a_signed_push_queues_a_sync_of_its_repository(client, repository, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        response = push(client, signature=sign(SECRET, PUSH))
    assert response.status_code == 202 and response.json() == {"queued": ["platform-requests"]}
    assert len(queued) == 1


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, sign("another secret", PUSH), "md5=abc"])
def test_a_bad_or_missing_signature_is_refused_and_logged(client, repository, signature, caplog,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        response = push(client, signature=signature)
    assert response.status_code == 403 and "X-Hub-Signature-256" in response.json()["error"]
    assert queued == []
    assert AuditEvent.objects.filter(action="security.access_denied", message__startswith="GitOps webhook refused")
    assert "gitops webhook refused" in caplog.text
    assert Repository.objects.get(pk=repository.pk).last_attempt_at is None


def test_a_body_changed_after_signing_is_refused(client, repository):
    signature = sign(SECRET, PUSH)
    assert push(client, body=PUSH.replace(b"main", b"prod"), signature=signature).status_code == 403


def test_a_push_to_another_branch_queues_nothing(client, repository, django_capture_on_commit_callbacks):
    body = json.dumps({"ref": "refs/heads/feature"}).encode()
    with django_capture_on_commit_callbacks() as queued:
        response = push(client, body=body, signature=sign(SECRET, body))
    assert response.status_code == 202 and response.json() == {"queued": []} and queued == []


def test_the_secret_is_sealed_at_rest(repository):
    stored = Repository.objects.values_list("webhook_secret_sealed", flat=True).get(pk=repository.pk)
    assert SECRET not in stored and Repository.objects.get(pk=repository.pk).webhook_secret == SECRET


def test_the_ping_of_a_new_webhook_answers(client, repository):
    body = b'{"zen": "hi"}'
    assert push(client, body=body, signature=sign(SECRET, body), event="ping").status_code == 200
