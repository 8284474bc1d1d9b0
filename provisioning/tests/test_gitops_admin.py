"""Registering a repository in Django admin: the webhook secret is taken once, sealed, and never shown again."""

from __future__ import annotations

import pytest

from conftest import client_for, make_user
from provisioning.models import Repository

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


def form(payments, **extra):
    return {"name": "platform-requests", "url": "https://git.example.com/platform/requests.git", "branch": "main",
            "folder": "environments", "teams": [payments.pk], "is_active": "on", "new_webhook_secret": "s3cret",
            **extra}  # fmt: skip


def test_a_repository_is_registered_with_a_sealed_secret(root, payments):
    client = client_for(root)
    response = client.post("/admin/provisioning/repository/add/", form(payments))
    assert response.status_code == 302, response.content.decode()[-2000:]
    repository = Repository.objects.get()
    assert repository.webhook_secret == "s3cret" and "s3cret" not in repository.webhook_secret_sealed
    assert list(repository.teams.all()) == [payments] and not repository.prune

    page = client.get(f"/admin/provisioning/repository/{repository.pk}/change/").content.decode()
    assert "s3cret" not in page and repository.webhook_secret_sealed not in page

    # saving without a new secret keeps the old one
    client.post(f"/admin/provisioning/repository/{repository.pk}/change/", form(payments, new_webhook_secret=""))
    assert Repository.objects.get().webhook_secret == "s3cret"


def test_a_url_that_is_no_repository_address_is_refused(root, payments):
    response = client_for(root).post("/admin/provisioning/repository/add/", form(payments, url="-uhack"))
    assert response.status_code == 200 and "Use an https://" in response.content.decode()
    assert not Repository.objects.exists()
