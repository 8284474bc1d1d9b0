"""Update and extend: the actions behind the environment page's buttons (and every later door)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.parameters import NON_FIELD
from conftest import make_user, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning import actions
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.models import Environment
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan


@pytest.fixture
def sandbox_box(alice, payments, dev_environment):
    """alice's development environment, built and active, expiring in 7 days."""
    change = finish_plan(
        request_change(alice, payments, dev_environment, name="box"), captured_plan("dev-environment-dev")
    )
    change = finish_apply(change)
    assert change.status == ChangeStatus.APPLIED
    return Environment.objects.get(pk=change.environment_id)


# -- update ----------------------------------------------------------------------------------
def test_an_update_is_planned_checked_and_applied_and_the_new_values_are_kept(sandbox_box, dave):
    # when dave (a member) asks for a bigger instance
    new = {**sandbox_box.parameters, "instance_type": "t3.small"}
    change = actions.update_environment(actor=dave, environment=sandbox_box, parameters=new, reason="more memory")

    # then it is an update change, planned like a request
    assert (change.action, change.status, change.parameters) == ("update", ChangeStatus.CHECKING, new)
    assert change.runs.get(kind=RunKind.PLAN).destroy is False
    submitted = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_SUBMITTED)
    assert submitted.message == "dave asked to update payments/box (instance_type) via portal."

    # and once planned and applied, the environment runs the new values
    finish_apply(finish_plan(change, captured_plan("dev-environment-dev")))
    sandbox_box.refresh_from_db()
    assert sandbox_box.parameters["instance_type"] == "t3.small"
    assert sandbox_box.status == EnvironmentStatus.ACTIVE


def test_an_update_that_changes_nothing_is_refused(sandbox_box, alice):
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.update_environment(actor=alice, environment=sandbox_box, parameters=dict(sandbox_box.parameters))
    assert refused.value.errors == {NON_FIELD: ["Nothing changed: edit at least one value."]}
    assert sandbox_box.changes.count() == 1


def test_an_update_with_a_bad_value_names_the_field_and_changes_nothing(sandbox_box, alice):
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.update_environment(
            actor=alice, environment=sandbox_box, parameters={**sandbox_box.parameters, "volume_size_gb": 5000}
        )
    assert refused.value.errors == {"volume_size_gb": ["Enter a value of at most 100."]}
    assert sandbox_box.changes.count() == 1


def test_a_second_change_while_one_is_open_is_told_which_one_holds_the_environment(sandbox_box, alice):
    first = actions.update_environment(
        actor=alice, environment=sandbox_box, parameters={**sandbox_box.parameters, "instance_type": "t3.small"}
    )
    with pytest.raises(actions.ChangeNotAllowed, match=f"busy with change #{first.pk} \\(checking\\)"):
        actions.decommission_environment(actor=alice, environment=sandbox_box, confirm_name=sandbox_box.name)
    with pytest.raises(actions.ChangeNotAllowed, match=f"busy with change #{first.pk}"):
        actions.update_environment(
            actor=alice, environment=sandbox_box, parameters={**sandbox_box.parameters, "instance_type": "t3.medium"}
        )
    assert sandbox_box.changes.count() == 2


# -- extend ----------------------------------------------------------------------------------
def test_extending_moves_the_expiry_and_is_on_the_record(sandbox_box, dave):
    before = sandbox_box.expires_at

    extended = actions.extend_environment(actor=dave, environment=sandbox_box, days=3)

    assert extended.expires_at == before + timedelta(days=3)
    event = AuditEvent.objects.get(environment=sandbox_box, action=AuditAction.ENVIRONMENT_EXTENDED)
    assert event.actor == dave and event.data["previous"] == before.isoformat()
    assert "dave extended payments/box by 3 day(s)" in event.message


def test_extending_past_the_tiers_maximum_says_how_far_it_can_go(sandbox_box, alice):
    # the development environment lives at most 14 days; it expires in 7
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.extend_environment(actor=alice, environment=sandbox_box, days=10)
    [message] = refused.value.errors["days"]
    assert message.startswith("The dev tier lets Development environment live at most 14 days from today;")
    assert message.endswith(
        (
            "at most 6 days, or give a reason to ask the platform team for longer.",
            "at most 7 days, or give a reason to ask the platform team for longer.",
        )
    )
    assert not AuditEvent.objects.filter(action=AuditAction.ENVIRONMENT_EXTENDED).exists()


def test_an_expired_environment_is_extended_from_today(sandbox_box, alice):
    Environment.objects.filter(pk=sandbox_box.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    extended = actions.extend_environment(actor=alice, environment=sandbox_box, days=2)
    assert timedelta(days=1, hours=23) < extended.expires_at - timezone.now() <= timedelta(days=2)


@pytest.mark.parametrize("days", [0, -1, 3651, "7", 2.5, True])
def test_extending_by_a_bad_number_of_days_is_refused(sandbox_box, alice, days):
    with pytest.raises(actions.RequestInvalid, match="whole number of days"):
        actions.extend_environment(actor=alice, environment=sandbox_box, days=days)


def test_a_decommissioned_environment_cannot_be_extended(sandbox_box, alice):
    Environment.objects.filter(pk=sandbox_box.pk).update(status=EnvironmentStatus.DECOMMISSIONED)
    with pytest.raises(actions.ChangeNotAllowed, match="decommissioned; there is nothing to extend"):
        actions.extend_environment(actor=alice, environment=sandbox_box, days=1)


# -- the platform operator -------------------------------------------------------------------
def test_a_superuser_outside_the_team_acts_as_platform_operator_on_the_record(sandbox_box):
    root = make_user("root", is_superuser=True)

    actions.extend_environment(actor=root, environment=sandbox_box, days=1)
    change = actions.decommission_environment(actor=root, environment=sandbox_box, confirm_name=sandbox_box.name)

    extended = AuditEvent.objects.get(action=AuditAction.ENVIRONMENT_EXTENDED)
    submitted = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_SUBMITTED)
    for event in (extended, submitted):
        assert event.data["operator"] is True
        assert "(as platform operator, outside their teams)" in event.message


def test_a_team_member_is_never_marked_as_operator(sandbox_box, alice):
    alice.is_superuser = True
    alice.save()
    actions.extend_environment(actor=alice, environment=sandbox_box, days=1)
    event = AuditEvent.objects.get(action=AuditAction.ENVIRONMENT_EXTENDED)
    assert "operator" not in event.data
