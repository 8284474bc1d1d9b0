"""Every action, as every persona, through every door, gets the same answer.

The table below is the roles table of governance/roles.py (and the README) written out as
outcomes: "done", "forbidden" (may see, may not do: 403), "hidden" (may not even see: 404,
or the login page). Each case builds the object the action needs in the state it needs,
then goes through one door: the action itself, the portal's pages, Django admin, or Slack
(`/platform` and the review buttons, signed as Slack signs them, by each persona's linked account).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from catalogue.parameters import defaults
from catalogue.tests.helpers import form_data
from conftest import client_for, make_user
from governance.choices import ChangeAction
from governance.roles import system_user
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment, Run

VERBS = ("request", "update", "extend", "decommission", "cancel", "retry", "decide")
TIERS = ("dev", "prod")
D, F, H = "done", "forbidden", "hidden"
# persona -> verb -> (dev, prod)
EXPECTED = {
    "owner": {  # alice, lead of payments, who requested the changes
        "request": (D, D), "update": (D, D), "extend": (D, D), "decommission": (D, D),
        "cancel": (D, D), "retry": (D, D), "decide": (F, F),
    },
    "teammate": {  # dave, member of payments
        "request": (D, F), "update": (D, F), "extend": (D, F), "decommission": (D, F),
        "cancel": (D, F), "retry": (D, F), "decide": (F, F),
    },
    "outsider": {  # bob, lead of analytics
        "request": (F, F), "update": (H, H), "extend": (H, H), "decommission": (H, H),
        "cancel": (H, H), "retry": (H, H), "decide": (H, H),
    },
    "reviewer": {  # nina, network: the group the change waits for
        "request": (F, F), "update": (H, H), "extend": (H, H), "decommission": (H, H),
        "cancel": (H, H), "retry": (H, H), "decide": (D, D),
    },
    "other_reviewer": {  # sam, security, deciding for network
        "request": (F, F), "update": (H, H), "extend": (H, H), "decommission": (H, H),
        "cancel": (H, H), "retry": (H, H), "decide": (H, H),
    },
    "finance": {  # fiona
        "request": (F, F), "update": (H, H), "extend": (H, H), "decommission": (H, H),
        "cancel": (H, H), "retry": (H, H), "decide": (H, H),
    },
    "operator": {  # a superuser in no team and no reviewer group
        "request": (D, D), "update": (D, D), "extend": (D, D), "decommission": (D, D),
        "cancel": (D, D), "retry": (D, D), "decide": (F, F),
    },
    "anonymous": dict.fromkeys(VERBS, (H, H)),
    "system": {  # the expiry sweep: it may see everything and decommission, nothing else
        "request": (F, F), "update": (F, F), "extend": (F, F), "decommission": (D, D),
        "cancel": (F, F), "retry": (F, F), "decide": (F, F),
    },
}  # fmt: skip
# Where each action has a door; the system has no login, so only the action itself.
DOORS = {
    "action": VERBS,
    "portal": VERBS,
    "admin": ("extend", "cancel", "retry", "decide"),
    "slack": ("request", "extend", "decommission", "decide"),
}
ADMIN_PERMISSIONS = ["view_changerequest", "view_environment", "view_run"]


@pytest.fixture
def personas(alice, dave, bob, nina, sam, fiona):
    return {
        "owner": alice,
        "teammate": dave,
        "outsider": bob,
        "reviewer": nina,
        "other_reviewer": sam,
        "finance": fiona,
        "operator": make_user("root", is_superuser=True, is_staff=True),
        "anonymous": None,
        "system": system_user(),
    }


def built_environment(team, version, tier: str, owner, *, name="shop") -> Environment:
    """A running environment, as a successful create change leaves it."""
    environment = Environment.objects.create(
        team=team, name=name, tier=tier, pattern_version=version, parameters=defaults(version.parameters_schema),
        status=EnvironmentStatus.ACTIVE, created_by=owner, expires_at=timezone.now() + timedelta(days=5),
    )  # fmt: skip
    assign_perm("provisioning.view_environment", team.group, environment)
    return environment


def change_in(environment, owner, status: str, *, run_status=RunStatus.QUEUED) -> ChangeRequest:
    change = ChangeRequest.objects.create(
        environment=environment, action=ChangeAction.UPDATE, requested_by=owner, status=status,
        parameters={**environment.parameters, "log_retention_days": 90},
    )  # fmt: skip
    Run.objects.create(environment=environment, change_request=change, kind=RunKind.PLAN, status=run_status)
    return change


def target(verb: str, tier: str, payments, web_app, alice):
    """The object `verb` acts on, in the state that lets a permitted actor do it."""
    if verb == "request":
        return None
    environment = built_environment(payments, web_app, tier, alice)
    if verb in ("update", "extend", "decommission"):
        return environment
    if verb == "cancel":
        return change_in(environment, alice, ChangeStatus.CHECKING)
    if verb == "retry":
        return change_in(environment, alice, ChangeStatus.FAILED, run_status=RunStatus.FAILED)
    change = change_in(environment, alice, ChangeStatus.AWAITING_APPROVAL, run_status=RunStatus.SUCCEEDED)
    ApprovalRequirement.objects.create(change_request=change, group="network", reasons=["An internet entry point."])
    return change


# -- the doors: each returns done, forbidden or hidden -------------------------------------
def through_action(verb, actor, obj, tier, payments, web_app):
    call = {
        "request": lambda: actions.request_environment(
            actor=actor, team=payments, pattern_version=web_app, name="new-shop", tier=tier, ttl_days=None,
            parameters=defaults(web_app.parameters_schema), source=ChangeSource.API,
        ),
        "update": lambda: actions.update_environment(
            actor=actor, environment=obj, parameters={**obj.parameters, "log_retention_days": 90}
        ),
        "extend": lambda: actions.extend_environment(actor=actor, environment=obj, days=1),
        "decommission": lambda: actions.decommission_environment(actor=actor, environment=obj, confirm_name=obj.name),
        "cancel": lambda: actions.cancel_change(actor=actor, change=obj),
        "retry": lambda: actions.retry_change(actor=actor, change=obj),
        "decide": lambda: actions.decide_change(actor=actor, change=obj, group="network", decision="approved"),
    }[verb]  # fmt: skip
    try:
        call()
    except actions.NotFound:
        return H
    except actions.Forbidden:
        return F
    return D


def through_portal(verb, actor, obj, tier, payments, web_app):
    client = client_for(actor) if actor is not None else Client()
    if verb == "request":
        post = form_data(web_app, payments, name="new-shop", tier=tier)
        response = client.post(f"/catalogue/{web_app.pattern.slug}/request/", post)
    elif verb == "update":
        response = client.post(f"/environments/{obj.pk}/update/", {**_form(obj.parameters), "log_retention_days": 90})
    elif verb == "extend":
        response = client.post(f"/environments/{obj.pk}/extend/", {"days": 1})
    elif verb == "decommission":
        response = client.post(f"/environments/{obj.pk}/decommission/", {"confirm_name": obj.name})
    elif verb in ("cancel", "retry"):
        response = client.post(f"/changes/{obj.pk}/{verb}/")
    else:
        response = client.post(f"/approvals/{obj.pk}/decide/", {"group": "network", "decision": "approved"})
    return _page_outcome(response)


def through_admin(verb, actor, obj, tier, payments, web_app):
    if actor is not None:
        actor.is_staff = True
        actor.save()
        actor.user_permissions.add(*Permission.objects.filter(codename__in=ADMIN_PERMISSIONS))
    client = client_for(actor) if actor is not None else Client()
    model = "environment" if verb == "extend" else "changerequest"
    action = {"extend": "extend", "cancel": "cancel", "retry": "retry", "decide": "approve_for_my_groups"}[verb]
    data = {"action": action, "index": "0", "_selected_action": [obj.pk], "confirm": "yes", "days": 1}
    response = client.post(f"/admin/provisioning/{model}/", data, follow=True)
    if response.redirect_chain and "/login/" in response.redirect_chain[-1][0]:
        return H
    mine = [m for m in get_messages(response.wsgi_request) if m.message.startswith((f"#{obj.pk}:", f"{obj}:"))]
    if not mine:
        return H  # not in the user's list: admin acted on nothing
    [message] = mine
    if message.level_tag == "success":
        return D
    # "nothing waits for your groups" is admin's way of saying "not in that reviewer group"
    return F if "Forbidden" in message.extra_tags or "nothing waits" in message.message else message.extra_tags


def _form(parameters: dict) -> dict:
    return {k: ("\n".join(map(str, v)) if isinstance(v, list) else ("on" if v is True else v))
            for k, v in parameters.items() if v is not False}  # fmt: skip


def _page_outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return H
    if response.status_code == 404:
        return H
    if response.status_code == 403:
        return F
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert response.status_code in (200, 302) and not errors, (response.status_code, errors)
    return D


def through_slack(verb, actor, obj, tier, payments, web_app, *, receiver):
    """`/platform …` typed, or the review button pressed, by the persona's linked Slack account (none: unlinked)."""
    from provisioning.tests.slack import command, link_slack, press

    slack_id = "U0UNLINKED"
    if actor is not None:
        slack_id = f"U0{actor.pk}X"
        link_slack(actor, slack_id)
    if verb == "decide":
        press("approve:network", {"change": obj.pk, "group": "network"}, user=slack_id, response_url=receiver.url)
        answer = receiver.calls[-1]
        text, done = answer["text"], answer.get("replace_original") is True
    else:
        name = obj.name if obj is not None else ""
        typed = {"request": f"create web-app --name=new-shop --tier={tier} --team=payments",
                 "extend": f"extend payments/{name} 1",
                 "decommission": f"destroy payments/{name} --confirm={name}"}[verb]  # fmt: skip
        text = command(typed, user=slack_id).json()["text"]
        # A change the policies reject was still requested: the actor was allowed to (as on the other doors).
        done = text.startswith(":white_check_mark:") or "> breaks policy;" in text
    if done:
        return D
    if text.startswith(":link:") or text.startswith((":no_entry: No such", ":no_entry: No environment")):
        return H
    assert text.startswith(":no_entry:"), text
    return F


THROUGH = {"action": through_action, "portal": through_portal, "admin": through_admin, "slack": through_slack}
CASES = [
    pytest.param(persona, verb, tier, door, id=f"{persona}-{verb}-{tier}-{door}")
    for persona in EXPECTED
    for verb in VERBS
    for tier in TIERS
    for door, verbs in DOORS.items()
    if verb in verbs and not (persona == "system" and door != "action")
]


@pytest.mark.parametrize(("persona", "verb", "tier", "door"), CASES)
def test_every_door_gives_the_same_answer(persona, verb, tier, door, personas, payments, web_app, alice, request):
    obj = target(verb, tier, payments, web_app, alice)
    slack = {"receiver": request.getfixturevalue("slack_app")} if door == "slack" else {}
    outcome = THROUGH[door](verb, personas[persona], obj, tier, payments, web_app, **slack)
    expected = EXPECTED[persona][verb][TIERS.index(tier)]
    assert outcome == expected, f"{persona} {verb} in {tier} through {door}: {outcome}, expected {expected}"
