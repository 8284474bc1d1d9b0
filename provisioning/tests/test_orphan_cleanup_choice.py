"""Picking orphans to delete before a retry: only what the environment page lists, through every door.

The deletion itself runs in the worker against the cloud (test_integration_orphans.py, test_orphan_cleanup.py).
"""

import pytest

from conftest import client_for, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from idp_portal.tests.test_api_behaviour import api_for
from provisioning import actions
from provisioning.actions.errors import ChangeNotAllowed
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunStatus
from provisioning.models import ChangeRequest, Environment

pytestmark = pytest.mark.django_db

STRAY = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0stray"
ODD = "arn:aws:kafka:eu-west-1:123456789012:cluster/odd/1"


@pytest.fixture
def stopped(catalogue, alice, payments):
    """A change whose retry stopped on resources no state holds: a VPC it can delete, a type it cannot."""
    change = request_change(alice, payments, catalogue["dev-environment"].current_version, name="box")
    change.runs.update(status=RunStatus.FAILED, error="Found 2 resource(s) ... that no state holds")
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.FAILED, failure_reason="no state holds")
    Environment.objects.filter(pk=change.environment_id).update(
        status=EnvironmentStatus.FAILED,
        orphans=[
            {"arn": STRAY, "type": "aws_vpc", "id": "vpc-0stray", "reason": "2 aws_vpc found for 1 planned"},
            {"arn": ODD, "type": "", "id": "1", "reason": "a resource type the portal cannot import"},
        ],
    )
    change.refresh_from_db()
    return change


def counts(change) -> tuple:
    change.refresh_from_db()
    return change.status, change.runs.count(), AuditEvent.objects.count()


def test_the_page_offers_a_box_for_each_orphan_the_portal_can_delete(alice, stopped):
    page = client_for(alice).get(f"/environments/{stopped.environment_id}/").content.decode()

    assert f'name="delete_orphans" value="{STRAY}"' in page
    assert f'value="{ODD}"' not in page and "a type the portal cannot delete" in page
    assert f'action="/changes/{stopped.pk}/retry/"' in page


def test_ticked_orphans_go_with_the_retry_to_the_worker_and_into_the_audit_log(alice, stopped):
    response = client_for(alice).post(f"/changes/{stopped.pk}/retry/", {"delete_orphans": [STRAY]})

    assert response.status_code == 302
    stopped.refresh_from_db()
    run = stopped.runs.order_by("-pk").first()
    assert (stopped.status, run.status, run.delete_orphans) == (ChangeStatus.CHECKING, RunStatus.QUEUED, [STRAY])
    retried = AuditEvent.objects.filter(action=AuditAction.RUN_RETRIED).latest("pk")
    assert STRAY in retried.message and retried.data["delete_orphans"] == [STRAY]


@pytest.mark.parametrize(
    "chosen",
    [
        ["arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0someoneelses"],
        [STRAY, "arn:aws:s3:::payroll-archive"],
    ],
)
def test_an_arn_the_page_did_not_list_is_refused_and_nothing_is_retried(alice, stopped, chosen):
    before = counts(stopped)

    with pytest.raises(ChangeNotAllowed, match="Pick from the environment's current list"):
        actions.retry_change(actor=alice, change=stopped, delete_orphans=chosen)

    assert counts(stopped) == before


def test_the_api_takes_the_same_choice_and_refuses_what_is_not_a_list(alice, stopped):
    api = api_for(alice)
    before = counts(stopped)

    refused = api.post(f"/api/v1/changes/{stopped.pk}/retry/", {"delete_orphans": "vpc-0stray"}, format="json")
    unknown = api.post(f"/api/v1/changes/{stopped.pk}/retry/", {"delete_orphans": [ODD + "x"]}, format="json")

    assert refused.status_code == 400 and "delete_orphans" in refused.json()["error"]["fields"]
    assert unknown.status_code == 409 and "Pick from the environment's current list" in str(unknown.json())
    assert counts(stopped) == before
    listed = api.get(f"/api/v1/environments/{stopped.environment_id}/").json()
    assert [item["arn"] for item in listed["orphans"]] == [STRAY, ODD]

    accepted = api.post(f"/api/v1/changes/{stopped.pk}/retry/", {"delete_orphans": [STRAY]}, format="json")
    assert accepted.status_code == 202
    assert stopped.runs.order_by("-pk").first().delete_orphans == [STRAY]


def test_the_outsider_cannot_delete_another_teams_orphans(bob, stopped):
    before = counts(stopped)
    response = client_for(bob).post(f"/changes/{stopped.pk}/retry/", {"delete_orphans": [STRAY]})
    assert response.status_code == 404
    assert counts(stopped) == before


# -- Slack: /platform status lists the orphans, /platform retry --delete-orphan picks them ---------------
@pytest.fixture
def on_slack(slack_app, alice, bob):
    from provisioning.tests.slack import link_slack

    link_slack(alice, "U0ALICE")
    link_slack(bob, "U0BOB")


def slack(text: str, user: str = "U0ALICE") -> str:
    from provisioning.tests.slack import command, said

    return said(command(text, user=user))


def test_slack_status_lists_the_orphans_and_how_to_delete_them(on_slack, stopped):
    answer = slack("status payments/box")
    assert "`/platform retry payments/box --delete-orphan=&lt;ARN&gt;`" in answer
    assert f"• `{STRAY}`" in answer and f"• `{ODD}`" in answer


def test_slack_retry_deletes_the_named_orphans_first_as_the_page_does(on_slack, alice, stopped):
    answer = slack(f"retry payments/box --delete-orphan={STRAY}")

    assert answer.startswith(":white_check_mark: You retried the change, deleting first 1 resource(s) no state holds:")
    stopped.refresh_from_db()
    run = stopped.runs.order_by("-pk").first()
    assert (stopped.status, run.status, run.delete_orphans) == (ChangeStatus.CHECKING, RunStatus.QUEUED, [STRAY])
    retried = AuditEvent.objects.get(action=AuditAction.RUN_RETRIED)
    assert (retried.actor, retried.data["source"], retried.data["delete_orphans"]) == (alice, "chat", [STRAY])


def test_slack_retry_by_change_number_without_orphans(on_slack, stopped):
    assert slack(f"retry #{stopped.pk}").startswith(":white_check_mark: You retried the change: <")
    assert stopped.runs.order_by("-pk").first().delete_orphans == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"retry payments/box --delete-orphan={ODD}x", ":no_entry: "),  # not on the environment's list
        ("retry payments/box --delete-orphan", "--delete-orphan needs a value"),
        ("retry #999999", ":no_entry: No change '#999999' that you can see"),
        ("retry #abc", ":no_entry: No change '#abc' that you can see"),
        ("retry #²", ":no_entry: No change '#²' that you can see"),
        ("retry #99999999999999999999999", ":no_entry: No change '#99999999999999999999999' that you can see"),
        ("retry 99999999999999999999999", ":no_entry: No environment '99999999999999999999999'"),
        ("retry ²", ":no_entry: No environment '²'"),
        ("retry #" + "9" * 3000, ":no_entry: No change '#999"),
        ("retry", "Name one environment"),
        ("retry payments/box --force", "Unknown option --force; this command knows --delete-orphan."),
    ],
)
def test_bad_slack_retries_are_answered_and_change_nothing(on_slack, stopped, text, expected):
    before = counts(stopped)
    assert expected in slack(text)
    assert counts(stopped) == before


def test_slack_retry_of_another_teams_change_is_not_found_and_changes_nothing(on_slack, stopped):
    before = counts(stopped)
    assert slack("retry payments/box", user="U0BOB").startswith(":no_entry: No environment 'payments/box'")
    assert slack(f"retry #{stopped.pk} --delete-orphan={STRAY}", user="U0BOB").startswith(":no_entry: No change")
    assert counts(stopped) == before


def test_slack_retry_of_an_environment_whose_last_change_did_not_fail_says_so(on_slack, stopped):
    ChangeRequest.objects.filter(pk=stopped.pk).update(status=ChangeStatus.APPLIED)
    answer = slack("retry payments/box")
    assert f"Nothing to retry on payments/box: its last change #{stopped.pk} is applied" in answer
