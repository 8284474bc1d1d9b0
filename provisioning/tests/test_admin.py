"""The approval queue in Django admin: the "Awaiting my review" filter and the approve/reject actions,
which confirm first and then decide through the same service as the portal."""

import pytest
from django.contrib.auth.models import Group, Permission

from catalogue.tests.helpers import parse_html
from conftest import client_for, make_user, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.choices import ChangeStatus, EnvironmentStatus
from provisioning.models import Approval
from provisioning.tests.plans import captured_plan, finish_plan

CHANGELIST = "/admin/provisioning/changerequest/"
MINE = f"{CHANGELIST}?queue=mine"


def staff(user, *groups):
    """Let a reviewer into the admin, with read access to change requests."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_changerequest"))
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def listed(user, url=MINE) -> list[int]:
    response = client_for(user).get(url)
    assert response.status_code == 200
    page = parse_html(response.content)
    return sorted(
        int(box.attrs["value"]) for box in page.find_all("input") if box.attrs.get("name") == "_selected_action"
    )


def act(user, action, *changes, **extra):
    data = {"action": action, "index": "0", "_selected_action": [str(c.pk) for c in changes], **extra}
    return client_for(user).post(MINE, data, follow=extra.get("confirm") == "yes")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def daves_change(dave, payments, web_app):
    change = finish_plan(request_change(dave, payments, web_app, name="shop"), captured_plan("web-app-dev"))
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    return change


@pytest.fixture
def automatic(alice, payments, dev_environment):
    """A change that needed nobody: approved automatically."""
    change = finish_plan(
        request_change(alice, payments, dev_environment, name="sandbox"), captured_plan("dev-environment-dev")
    )
    assert change.status == ChangeStatus.APPROVED
    return change


# -- the filter ------------------------------------------------------------------------
def test_awaiting_my_review_lists_the_changes_waiting_for_my_groups(awaiting, daves_change, automatic, nina, pat):
    staff(nina)
    staff(pat)
    assert listed(nina) == sorted([awaiting.pk, daves_change.pk])
    assert listed(pat) == []
    # unfiltered: every change nina may see, those that wait or waited for network; not the automatic one
    assert listed(nina, CHANGELIST) == sorted([awaiting.pk, daves_change.pk])


def test_awaiting_my_review_never_lists_my_own_requests(awaiting, daves_change, dave):
    staff(dave, "network")
    assert listed(dave) == [awaiting.pk]


def test_a_change_leaves_my_review_once_my_group_decided(awaiting, nina, sam):
    staff(nina)
    staff(sam)
    act(nina, "approve_for_my_groups", awaiting, confirm="yes")
    assert listed(nina) == []
    assert listed(sam) == [awaiting.pk]


def test_the_list_shows_which_groups_a_change_waits_for(awaiting, nina):
    staff(nina)
    page = parse_html(client_for(nina).get(MINE).content)
    assert page.find("td", cls="field-waiting_for").text == "network, security"


def test_the_filter_is_offered_by_name(awaiting, nina):
    staff(nina)
    assert "Awaiting my review" in client_for(nina).get(CHANGELIST).content.decode()


# -- the actions -----------------------------------------------------------------------
def test_approve_shows_a_confirmation_page_first(awaiting, nina):
    staff(nina)

    response = act(nina, "approve_for_my_groups", awaiting)

    assert response.status_code == 200
    text = parse_html(response.content).find(id="content").text
    assert "Approve changes:" in text
    assert f"#{awaiting.pk} create payments/checkout" in text
    assert not Approval.objects.exists()


def test_confirmed_approval_decides_through_the_action(awaiting, nina, sam):
    staff(nina)
    staff(sam)

    response = act(nina, "approve_for_my_groups", awaiting, confirm="yes", comment="ok for network")

    assert messages_of(response) == [f"#{awaiting.pk}: approved for network."]
    approval = Approval.objects.get()
    assert (approval.reviewer, approval.group, approval.comment) == (nina, "network", "ok for network")
    assert AuditEvent.objects.filter(change_request=awaiting, action=AuditAction.APPROVAL_GIVEN).count() == 1

    # and when security approves too, the change goes to apply, as in the portal
    act(sam, "approve_for_my_groups", awaiting, confirm="yes")
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.APPROVED


def test_reject_requires_a_comment(awaiting, sam):
    staff(sam)

    # when sam confirms a rejection without a comment
    first = act(sam, "reject_for_my_groups", awaiting)
    assert "Comment (required)" in first.content.decode()
    again = act(sam, "reject_for_my_groups", awaiting, confirm="yes", comment="  ")

    # then the confirmation page comes back asking why, and nothing is rejected
    assert again.status_code == 200
    assert "Say why you reject, so the requester knows what to change." in again.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.AWAITING_APPROVAL and not Approval.objects.exists()


def test_confirmed_rejection_with_a_comment_rejects_the_change(awaiting, sam):
    staff(sam)

    response = act(sam, "reject_for_my_groups", awaiting, confirm="yes", comment="Use the shared KMS key.")

    assert messages_of(response) == [f"#{awaiting.pk}: rejected for security."]
    awaiting.refresh_from_db()
    assert awaiting.status == ChangeStatus.REJECTED
    assert awaiting.environment.status == EnvironmentStatus.WITHDRAWN
    assert Approval.objects.get().comment == "Use the shared KMS key."


def test_an_action_on_a_change_nothing_waits_for_my_groups_changes_nothing(awaiting, automatic, pat):
    staff(pat)
    pat.is_superuser = True  # a platform operator sees every change
    pat.save()
    response = client_for(pat).post(
        CHANGELIST,
        {
            "action": "approve_for_my_groups",
            "index": "0",
            "_selected_action": [awaiting.pk, automatic.pk],
            "confirm": "yes",
        },
        follow=True,
    )
    assert sorted(messages_of(response)) == sorted(
        [f"#{awaiting.pk}: nothing waits for your groups.", f"#{automatic.pk}: nothing waits for your groups."]
    )
    assert not Approval.objects.exists()


def test_the_requester_cannot_approve_their_own_change_in_the_admin(daves_change, dave):
    staff(dave, "network")
    response = client_for(dave).post(
        CHANGELIST,
        {"action": "approve_for_my_groups", "index": "0", "_selected_action": [daves_change.pk], "confirm": "yes"},
        follow=True,
    )
    assert messages_of(response) == [
        f"#{daves_change.pk}: You requested this change; another reviewer must decide on it."
    ]
    assert not Approval.objects.exists()
    assert AuditEvent.objects.filter(change_request=daves_change, action=AuditAction.APPROVAL_DENIED).count() == 1


def test_a_superuser_outside_the_reviewer_groups_decides_nothing(awaiting):
    root = make_user("root", is_staff=True, is_superuser=True)
    response = client_for(root).post(
        CHANGELIST,
        {"action": "approve_for_my_groups", "index": "0", "_selected_action": [awaiting.pk], "confirm": "yes"},
        follow=True,
    )
    assert messages_of(response) == [f"#{awaiting.pk}: nothing waits for your groups."]
    assert not Approval.objects.exists()


def test_change_requests_cannot_be_added_or_deleted_in_the_admin(awaiting):
    root = make_user("root", is_staff=True, is_superuser=True)
    client = client_for(root)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{awaiting.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_decisions_are_readable_but_read_only_in_the_audit_admin(awaiting, nina):
    staff(nina)
    act(nina, "approve_for_my_groups", awaiting, confirm="yes")
    root = make_user("root", is_staff=True, is_superuser=True)
    client = client_for(root)
    event = AuditEvent.objects.get(action=AuditAction.APPROVAL_GIVEN)

    assert (
        f"nina approved change #{awaiting.pk} for network"
        in client.get("/admin/governance/auditevent/").content.decode()
    )
    page = client.get(f"/admin/governance/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/governance/auditevent/{event.pk}/change/", {"message": "x"}).status_code == 403
    assert client.post(f"/admin/governance/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/governance/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.message.startswith("nina approved")
