"""The audit log is append-only: the model, the queryset, the database and the admin all refuse edits."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from conftest import client_for, make_user
from governance.audit import record
from governance.choices import AuditAction
from governance.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db

MESSAGE = "alice requested web-app 1.0.0 as payments/checkout-dev (dev) via portal."


@pytest.fixture
def event(alice, payments):
    return record(AuditAction.CHANGE_SUBMITTED, actor=alice, team=payments, message=MESSAGE)


@pytest.fixture
def admin_user(db):
    return make_user("root", is_staff=True, is_superuser=True)


def unchanged(event) -> bool:
    stored = AuditEvent.objects.values("message", "actor_name", "action").get(pk=event.pk)
    return stored == {"message": MESSAGE, "actor_name": "alice", "action": AuditAction.CHANGE_SUBMITTED}


def test_recording_an_event_stores_who_did_what(event, alice, payments):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_name, stored.team, stored.message) == (alice, "alice", payments, MESSAGE)


def test_an_event_without_an_actor_is_recorded_as_the_system(payments):
    event = record(AuditAction.RUN_STARTED, team=payments, message="Run #1 started.")
    assert event.actor is None and event.actor_name == "system"


def test_saving_an_event_again_through_the_model_is_refused(event):
    event.message = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert unchanged(event)


def test_deleting_an_event_through_the_model_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert unchanged(event)


def test_updating_events_through_the_queryset_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(message="nothing happened")
    assert unchanged(event)


def test_bulk_updating_events_is_refused(event):
    event.message = "nothing happened"
    # bulk_update opens its own atomic block without a savepoint: give it one, as a request would have
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["message"])
    assert unchanged(event)


def test_deleting_events_through_the_queryset_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert unchanged(event)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE governance_auditevent SET message = 'nothing happened'",
        "DELETE FROM governance_auditevent",
    ],
)
def test_raw_sql_that_changes_events_is_refused_by_the_database(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert unchanged(event)


def test_raw_sql_may_still_add_events(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO governance_auditevent (created_at, actor_name, action, message, data) "
            "VALUES (now(), 'system', 'run.started', 'Run #2 started.', '{}')"
        )
    assert AuditEvent.objects.count() == 2


def test_the_admin_offers_no_add_change_or_delete_even_to_a_superuser(admin_user):
    request = RequestFactory().get("/admin/governance/auditevent/")
    request.user = admin_user
    model_admin = site._registry[AuditEvent]
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_pages_refuse_to_add_change_or_delete_an_event(admin_user, event):
    # given
    client = client_for(admin_user)

    # then the log can be read
    assert client.get("/admin/governance/auditevent/").status_code == 200
    # but not written
    assert client.get("/admin/governance/auditevent/add/").status_code == 403
    assert client.post(f"/admin/governance/auditevent/{event.pk}/change/", {"message": "x"}).status_code == 403
    assert client.post(f"/admin/governance/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert unchanged(event)
