"""Django admin cannot rewrite what the actions own: changes, requirements, approvals, runs, environment state."""

from __future__ import annotations

import pytest

from conftest import client_for, make_user
from provisioning.choices import ChangeStatus
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment, Run


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


def test_an_approval_requirement_cannot_be_deleted_or_edited(awaiting, root):
    client = client_for(root)
    requirement = awaiting.requirements.get(group="security")
    base = f"/admin/provisioning/approvalrequirement/{requirement.pk}"

    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}/change/", {"group": "network", "superseded": "on"}).status_code == 403
    assert sorted(awaiting.requirements.pending().values_list("group", flat=True)) == ["network", "security"]


def test_an_environments_state_and_expiry_cannot_be_edited(awaiting, root):
    environment = awaiting.environment
    client = client_for(root)
    base = f"/admin/provisioning/environment/{environment.pk}"

    page = client.get(f"{base}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"{base}/change/", {"status": "decommissioned", "expires_at_0": ""}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    environment.refresh_from_db()
    assert environment.status == "requested" and environment.expires_at is not None


def test_runs_and_their_logs_cannot_be_edited_or_deleted(awaiting, root):
    run = awaiting.runs.get()
    client = client_for(root)
    assert client.post(f"/admin/provisioning/run/{run.pk}/change/", {"log": "nothing happened"}).status_code == 403
    assert client.post(f"/admin/provisioning/run/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Run.objects.get(pk=run.pk).log == run.log


def test_a_change_cannot_be_edited(awaiting, root):
    client = client_for(root)
    response = client.post(f"/admin/provisioning/changerequest/{awaiting.pk}/change/", {"status": "approved"})
    assert response.status_code == 403
    assert ChangeRequest.objects.get(pk=awaiting.pk).status == ChangeStatus.AWAITING_APPROVAL


def test_admin_lists_only_what_a_staff_member_may_see(awaiting, bob):
    from django.contrib.auth.models import Permission

    bob.is_staff = True
    bob.save()
    bob.user_permissions.add(*Permission.objects.filter(codename__in=["view_environment", "view_changerequest"]))
    client = client_for(bob)
    assert str(awaiting.environment.name) not in client.get("/admin/provisioning/environment/").content.decode()
    assert client.get(f"/admin/provisioning/changerequest/{awaiting.pk}/change/").status_code == 302  # not found
    assert Environment.objects.for_user(bob).count() == 0
    assert ApprovalRequirement.objects.count() == 2
