"""`/platform` in Slack, signed as Slack signs it: every subcommand with good and bad input. Each does what
the same action does at any door, as the linked portal user; bad input is answered and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import request_change
from costs.models import CostRecord
from governance.models import AuditEvent, SlackLinkRequest
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus
from provisioning.models import ChangeRequest, Environment
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan
from provisioning.tests.slack import buttons, command, link_slack, said

pytestmark = pytest.mark.django_db
ALICE, DAVE, BOB = "U0ALICE", "U0DAVE", "U0BOB"


@pytest.fixture
def linked(slack_app, alice, dave, bob):
    """alice (payments lead), dave (payments member) and bob (analytics lead) linked their Slack accounts."""
    for user, slack_id in ((alice, ALICE), (dave, DAVE), (bob, BOB)):
        link_slack(user, slack_id)


@pytest.fixture
def box(alice, payments, dev_environment):
    """alice's development environment, built and active."""
    change = finish_apply(finish_plan(request_change(alice, payments, dev_environment, name="box"),
                                      captured_plan("dev-environment-dev")))  # fmt: skip
    return Environment.objects.get(pk=change.environment_id)


def records() -> tuple[int, int, int]:
    return Environment.objects.count(), ChangeRequest.objects.count(), AuditEvent.objects.count()


# -- help and unknown commands ----------------------------------------------------------
@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_help_lists_every_subcommand(linked, text):
    answer = said(command(text, user=ALICE))
    for usage in ("/platform create <pattern> --name=<name>", "/platform list", "/platform status <environment>",
                  "/platform extend <environment> [days]", "/platform destroy <environment>",
                  "/platform retry <environment | #change> [--delete-orphan=<ARN> …]"):  # fmt: skip
        assert usage.replace("<", "&lt;").replace(">", "&gt;") in answer


def test_an_unknown_subcommand_is_answered_with_the_commands_and_changes_nothing(linked):
    before = records()
    answer = said(command("deploy <everything> now", user=ALICE))
    assert answer.startswith(":warning: Unknown command *deploy*; the commands are create, list, status, extend")
    assert records() == before


def test_an_unclosed_quote_is_answered_and_changes_nothing(linked, catalogue):
    before = records()
    answer = said(command('create dev-environment --name=box --reason="half a sentence', user=ALICE))
    assert "close every quote you open" in answer
    assert records() == before


# -- create ------------------------------------------------------------------------------
def test_create_requests_the_environment_as_the_linked_user(linked, catalogue, alice):
    answer = said(command("create dev-environment --name=box volume_size_gb=40 --reason='try the new cache'",
                          user=ALICE))  # fmt: skip

    environment = Environment.objects.get(name="box")
    change = environment.changes.get()
    assert (environment.team.slug, environment.tier, environment.created_by) == ("payments", "dev", alice)
    assert environment.parameters["volume_size_gb"] == 40 and environment.parameters["instance_type"] == "t3.micro"
    assert (change.source, change.requested_by, change.reason) == (ChangeSource.CHAT, alice, "try the new cache")
    assert answer.startswith(":white_check_mark: You requested payments/box (Development environment, dev):")
    assert f"/changes/{change.pk}/|change #{change.pk}> is checking" in answer
    submitted = AuditEvent.objects.get(change_request=change, action="change.submitted")
    assert submitted.message == "alice requested dev-environment 1.1.0 as payments/box (dev) via chat."


def test_create_takes_options_with_a_space_and_repeated_params(linked, catalogue):
    said(command("create dev-environment --name box --tier dev --param region=eu-central-1 instance_type=t3.small",
                 user=ALICE))  # fmt: skip
    parameters = Environment.objects.get(name="box").parameters
    assert (parameters["region"], parameters["instance_type"]) == ("eu-central-1", "t3.small")


def test_an_unknown_pattern_names_the_patterns_there_are(linked, catalogue):
    before = records()
    answer = said(command("create rocket-launcher --name=box", user=ALICE))
    assert answer.startswith(":warning: Some values need a change; nothing was done.\n• *pattern*: There is no pattern")
    assert "'rocket-launcher'; choose one of " in answer and "dev-environment (app-environment)" in answer
    assert "web-app" in answer
    assert records() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("create dev-environment", "• *name*: Name the environment with --name=&lt;name&gt;"),
        ("create dev-environment --name=Box!", "• *name*: Use 3 to 24 lower-case letters"),
        ("create dev-environment --name=box volume_size_gb=5000", "• *volume_size_gb*:"),
        ("create dev-environment --name=box volume_size_gb=big", "• *volume_size_gb*:"),
        ("create dev-environment --name=box volume_size_gb=1e400", "• *volume_size_gb*:"),
        ("create dev-environment --name=box volume_size_gb=NaN", "• *volume_size_gb*:"),
        ("create dev-environment --name=box colour=blue", "colour"),
        ("create dev-environment --name=box --tier=prod", "• *tier*:"),
        ("create dev-environment --name=box --ttl-days=soon", "• *ttl_days*: 'soon' is not a whole number of days"),
        (
            "create message-queue --name=box --size=small",
            "• *size*: There is no size 'small': this pattern has no size",
        ),
        ("create dev-environment --name=box --team=nowhere", "• *team*: There is no team 'nowhere'."),
        ("create dev-environment --name=box --colour=blue", "Unknown option --colour; this command knows"),
        ("create dev-environment web-app --name=box", "Name one pattern"),
        ("create dev-environment --name=box --name=other", "--name is given twice"),
    ],
)
def test_bad_create_input_is_answered_with_what_to_change_and_changes_nothing(linked, catalogue, text, expected):
    before = records()
    answer = said(command(text, user=ALICE))
    assert expected in answer, answer
    assert answer.startswith(":warning:")
    assert records() == before


def test_create_for_another_team_is_refused(linked, catalogue, payments):
    before = records()
    answer = said(command("create dev-environment --name=box --team=payments", user=BOB))
    assert answer.startswith(":no_entry: You are not a member of team payments; only its members may")
    assert records() == before


def test_a_policy_violation_is_answered_with_each_violation_and_what_to_change(linked, box, payments):
    # payments has spent its whole budget this month, and over it changes are rejected
    CostRecord.objects.create(environment=box, day=timezone.now().date(), amount=Decimal(120))
    payments.monthly_budget, payments.budget_mode = Decimal(120), "deny"
    payments.save()

    answer = said(command("create web-app --name=shop database_instance_class=db.r6g.large", user=ALICE))

    change = ChangeRequest.objects.get(environment__name="shop")
    assert change.status == ChangeStatus.REJECTED
    assert answer.startswith(
        f":no_entry: <http://127.0.0.1:8000/changes/{change.pk}/|Change #{change.pk}> breaks policy"
    )
    [denial] = change.denials
    assert f"• *{denial['title']}*" in answer and denial["message"][:60].replace("<", "&lt;") in answer
    assert "_Fix:_" in answer


def test_the_seeds_command_works_with_an_alias_and_a_size_preset(linked, catalogue):
    said(command("create app-environment --name=dev --size=medium", user=ALICE))
    environment = Environment.objects.get(name="dev")
    assert environment.pattern_version.pattern.slug == "dev-environment"
    assert (environment.parameters["instance_type"], environment.parameters["volume_size_gb"]) == ("t3.small", 40)

    said(command("create app-environment --name=dev2 --size=small volume_size_gb=30", user=ALICE))
    assert Environment.objects.get(name="dev2").parameters["volume_size_gb"] == 30  # a value given wins

    answer = said(command("create app-environment --name=dev3 --size=huge", user=ALICE))
    assert "• *size*: There is no size 'huge': choose one of small, medium, large." in answer


# -- list and status ---------------------------------------------------------------------
def test_list_shows_the_users_teams_environments_only(linked, box, bob, analytics, dev_environment):
    request_change(bob, analytics, dev_environment, name="theirs")

    answer = said(command("list", user=ALICE))

    assert (
        f"*<http://127.0.0.1:8000/environments/{box.pk}/|payments/box>* · dev · active · dev-environment 1.1.0"
        in answer
    )
    assert "theirs" not in answer
    assert "theirs" in said(command("list", user=BOB)) and "payments/box" not in said(command("list", user=BOB))


def test_list_of_nothing_says_how_to_create(linked, catalogue):
    assert (
        said(command("list", user=ALICE))
        == "No environments. Create one with `/platform create &lt;pattern&gt; --name=&lt;name&gt;`."
    )


def test_list_refuses_stray_words(linked):
    assert "list takes no environment name (box)" in said(command("list box", user=ALICE))


def test_status_shows_the_environment_and_its_last_change(linked, box):
    answer = said(command("status box", user=DAVE))
    assert "payments/box>* · dev · active" in answer
    assert "Last change: <http://127.0.0.1:8000/changes/" in answer and "create, applied." in answer
    assert said(command("status payments/box", user=DAVE)) == answer


@pytest.mark.parametrize("ref", ["box", "payments/box", "nothing"])
def test_status_of_what_the_user_cannot_see_is_not_found(linked, box, ref):
    answer = said(command(f"status {ref}", user=BOB))
    assert answer == f":no_entry: No environment '{ref}' that you can see; `/platform list` shows yours."


def test_status_needs_one_name(linked):
    assert "Usage: `/platform status &lt;environment&gt;`" in said(command("status", user=ALICE))


# -- extend ------------------------------------------------------------------------------
def test_extend_moves_the_expiry_by_the_days_given(linked, box):
    before = box.expires_at
    answer = said(command("extend box 3", user=DAVE))
    box.refresh_from_db()
    assert box.expires_at - before == timedelta(days=3)
    assert (
        answer
        == f":white_check_mark: payments/box now expires on {box.expires_at:%Y-%m-%d %H:%M} UTC (extended by 3 days)."
    )
    assert AuditEvent.objects.filter(action="environment.extended", environment=box, data__source="chat").exists()


def test_extend_without_days_takes_a_week(linked, box):
    before = box.expires_at
    said(command("extend payments/box", user=ALICE))
    box.refresh_from_db()
    assert box.expires_at - before == timedelta(days=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("extend box soon", "• *days*: 'soon' is not a whole number of days"),
        ("extend box 0", "• *days*: Extend by a whole number of days from 1 to"),
        ("extend box 30", "• *days*: The dev tier lets Development environment live at most 14 days from today"),
        ("extend", "Name one environment"),
    ],
)
def test_bad_extensions_change_nothing(linked, box, text, expected):
    before = (box.expires_at, AuditEvent.objects.count())
    answer = said(command(text, user=ALICE))
    assert expected in answer, answer
    box.refresh_from_db()
    assert (box.expires_at, AuditEvent.objects.count()) == before


def test_an_outsider_cannot_extend(linked, box):
    before = box.expires_at
    assert said(command("extend payments/box 3", user=BOB)).startswith(":no_entry: No environment 'payments/box'")
    box.refresh_from_db()
    assert box.expires_at == before


# -- destroy -------------------------------------------------------------------------------
def test_destroy_first_asks_for_confirmation_and_changes_nothing(linked, box):
    before = records()
    response = command("destroy box", user=ALICE)

    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert buttons(answer["blocks"]) == ["Decommission payments/box", "Keep it"]
    assert "--confirm=box" in answer["blocks"][0]["text"]["text"]
    [danger] = [e for b in answer["blocks"] for e in b.get("elements", []) if e.get("style") == "danger"]
    assert danger["confirm"]["title"]["text"] == "Decommission payments/box?"
    assert records() == before


def test_destroy_with_the_typed_name_decommissions(linked, box, alice):
    answer = said(command("destroy box --confirm=box --reason=done", user=ALICE))
    change = box.changes.get(action="destroy")
    assert (change.requested_by, change.source, change.reason) == (alice, ChangeSource.CHAT, "done")
    assert answer.startswith(":white_check_mark: You asked to decommission payments/box: <")
    box.refresh_from_db()
    assert box.status == EnvironmentStatus.ACTIVE  # until the destroy is planned, checked and applied


def test_destroy_with_another_name_typed_changes_nothing(linked, box):
    before = records()
    answer = said(command("destroy box --confirm=bo", user=ALICE))
    assert "• *confirm*: Type the environment's name, box, to confirm its decommissioning." in answer
    assert records() == before


def test_destroy_by_id_asks_for_the_name(linked, box):
    answer = said(command(f"destroy {box.pk}", user=ALICE))
    assert "Confirm with the environment's name: `/platform destroy box --confirm=box`." in answer


def test_an_outsider_cannot_destroy_nor_learn_of_it(linked, box):
    before = records()
    assert said(command("destroy payments/box --confirm=box", user=BOB)).startswith(":no_entry: No environment")
    assert said(command("destroy payments/box", user=BOB)).startswith(":no_entry: No environment")
    assert records() == before


def test_a_member_may_not_destroy_production_and_is_told_who_may(linked, box, dave):
    Environment.objects.filter(pk=box.pk).update(tier="prod")
    answer = said(command("destroy box", user=DAVE))
    assert answer.startswith(":no_entry:") and "lead" in answer
    assert "blocks" not in command("destroy box", user=DAVE).json()


# -- who is asking -----------------------------------------------------------------------------
def test_an_unlinked_slack_user_gets_a_one_time_link_and_nothing_else_happens(slack_app, catalogue):
    before = records()
    answer = said(command("create dev-environment --name=box", user="U0STRANGER", name="stranger"))
    assert answer.startswith(
        ":link: Your Slack account is not linked to the portal yet. <http://127.0.0.1:8000/account/slack/link/"
    )
    assert "confirm that @stranger is you" in answer
    link = SlackLinkRequest.objects.get()
    assert (link.slack_user_id, link.used_at) == ("U0STRANGER", None)
    assert link.expires_at - timezone.now() <= timedelta(minutes=15)
    assert records() == before


def test_dashes_and_curly_quotes_from_slacks_clients_read_as_typed(linked, catalogue):
    said(command("create dev-environment \u2014name=box \u2013reason=\u201cfor the demo\u201d", user=ALICE))
    assert ChangeRequest.objects.get().reason == "for the demo"


def test_a_nul_character_is_refused_before_it_reaches_the_database(linked, catalogue):
    before = records()
    answer = said(command("create dev-environment --name=box --reason=a\x00b", user=ALICE))
    assert answer == ":warning: The command may not contain NUL characters; remove them."
    assert records() == before


def test_an_overlong_reason_is_refused(linked, catalogue):
    answer = said(command(f"create dev-environment --name=box --reason={'x' * 2001}", user=ALICE))
    assert "• *reason*: Use at most 2000 characters." in answer
    assert not Environment.objects.exists()
