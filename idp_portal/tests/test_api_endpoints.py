"""Every API endpoint × every persona, generated from the URL list: a new endpoint without a row fails.

Personas: nobody signed in, another team's lead (the outsider), a team member, the team's lead, a
network reviewer, and tokens narrowed to a scope. What each may do is the actions' answer; the
API only adds that a token's scope can narrow it. Bodies are valid, so the status says who may.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from conftest import request_change
from governance import tokens
from governance.choices import TokenScope
from provisioning.choices import ChangeStatus
from provisioning.models import Environment
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan

pytestmark = pytest.mark.django_db

OK, ACCEPTED, DENIED, FORBIDDEN, HIDDEN, REFUSED = 200, 202, 401, 403, 404, 409
PERSONAS = ("anonymous", "outsider", "member", "lead", "reviewer", "member-read-token", "reviewer-approve-token")


def read(outsider=HIDDEN):
    """A GET: everyone signed in, the outsider sees nothing of the team's."""
    return {"anonymous": DENIED, "outsider": outsider, "member": OK, "lead": OK, "reviewer": HIDDEN,
            "member-read-token": OK, "reviewer-approve-token": HIDDEN}  # fmt: skip


def public_read():
    return {**read(outsider=OK), "reviewer": OK, "reviewer-approve-token": OK}


def write(member=ACCEPTED, lead=None):
    """A POST a team member may make; tokens without `write` are refused before the action runs."""
    lead = member if lead is None else lead
    return {"anonymous": DENIED, "outsider": HIDDEN, "member": member, "lead": lead, "reviewer": HIDDEN,
            "member-read-token": FORBIDDEN, "reviewer-approve-token": FORBIDDEN}  # fmt: skip


def decide():
    """Approve or reject: only a reviewer of the group waiting, with a session or an approve token."""
    return {"anonymous": DENIED, "outsider": HIDDEN, "member": FORBIDDEN, "lead": FORBIDDEN, "reviewer": OK,
            "member-read-token": FORBIDDEN, "reviewer-approve-token": OK}  # fmt: skip


ENV, CHANGE, RUN, EVENT = "{box}", "{awaiting}", "{run}", "{event}"
# (url name, method): (path arguments, body, {persona: status})
ENDPOINTS = {
    ("pattern-list", "get"): ({}, None, public_read()),
    ("pattern-detail", "get"): ({"slug": "dev-environment"}, None, public_read()),
    ("pattern-versions", "get"): ({"slug": "dev-environment"}, None, public_read()),
    ("pattern-version", "get"): ({"slug": "dev-environment", "version": "1.1.0"}, None, public_read()),
    ("team-list", "get"): ({}, None, public_read()),
    ("team-detail", "get"): ({"slug": "payments"}, None, read()),
    ("team-detail", "patch"): (
        {"slug": "payments"},
        {"monthly_budget": "6000"},
        {**write(member=FORBIDDEN, lead=OK), "member-read-token": FORBIDDEN},
    ),
    ("team-costs", "get"): ({"slug": "payments"}, None, read()),
    ("environment-list", "get"): ({}, None, public_read()),
    ("environment-list", "post"): (
        {},
        {"team": "payments", "pattern": "dev-environment", "name": "another", "tier": "dev"},
        {**write(), "outsider": FORBIDDEN, "reviewer": FORBIDDEN},
    ),
    ("environment-detail", "get"): ({"pk": ENV}, None, read()),
    ("environment-update-parameters", "post"): ({"pk": ENV}, {"parameters": "{bigger}"}, write()),
    ("environment-upgrade", "post"): ({"pk": ENV}, {}, write(member=REFUSED)),
    ("environment-upgrade-preview", "post"): ({"pk": ENV}, {}, write(member=REFUSED)),
    ("environment-promote", "post"): ({"pk": ENV}, {}, write(member=REFUSED)),
    ("environment-extend", "post"): ({"pk": ENV}, {"days": 1}, write(member=OK)),
    ("environment-decommission", "post"): ({"pk": ENV}, {"confirm_name": "box"}, write()),
    ("environment-drift-check", "post"): ({"pk": ENV}, None, write()),
    ("environment-reconcile", "post"): ({"pk": ENV}, {}, write(member=REFUSED)),
    ("environment-costs", "get"): ({"pk": ENV}, None, read()),
    ("change-list", "get"): ({}, None, public_read()),
    ("change-detail", "get"): ({"pk": CHANGE}, None, {**read(), "reviewer": OK, "reviewer-approve-token": OK}),
    ("change-cancel", "post"): ({"pk": CHANGE}, None, {**write(member=OK), "reviewer": FORBIDDEN}),
    ("change-retry", "post"): ({"pk": CHANGE}, None, {**write(member=REFUSED), "reviewer": FORBIDDEN}),
    ("change-approve", "post"): ({"pk": CHANGE}, {"group": "network"}, decide()),
    ("change-reject", "post"): ({"pk": CHANGE}, {"group": "network", "comment": "no"}, decide()),
    ("approval-list", "get"): ({}, None, public_read()),
    ("run-list", "get"): ({}, None, public_read()),
    ("run-detail", "get"): ({"pk": RUN}, None, read()),
    ("run-log", "get"): ({"pk": RUN}, None, read()),
    ("auditevent-list", "get"): ({}, None, public_read()),
    ("auditevent-detail", "get"): ({"pk": EVENT}, None, read()),
}


def api_endpoints() -> set[tuple[str, str]]:
    """(url name, method) of every route under /api/v1/ but the schema and its docs."""
    found = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                # DRF adds `head` to a viewset's action map on its first GET (it mirrors GET).
                for method in set(getattr(pattern.callback, "actions", {})) - {"head"}:
                    found.add((pattern.name, method))

    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/")
    walk(api.url_patterns)
    return found


def test_every_endpoint_has_a_row_for_every_persona():
    assert api_endpoints() == set(ENDPOINTS), "a new API endpoint needs its row in ENDPOINTS"
    assert all(set(expected) == set(PERSONAS) for _, _, expected in ENDPOINTS.values())


@pytest.fixture
def world(alice, dave, bob, nina, payments, dev_environment, awaiting):
    """alice's built development environment `box`, and her web application waiting for network and security."""
    box = finish_apply(finish_plan(request_change(alice, payments, dev_environment, name="box"),
                                   captured_plan("dev-environment-dev")))  # fmt: skip
    assert box.status == ChangeStatus.APPLIED
    box = Environment.objects.get(pk=box.environment_id)
    _, member_read = tokens.create_token(actor=dave, name="read", scope=TokenScope.READ, days=1)
    _, reviewer_approve = tokens.create_token(actor=nina, name="approve", scope=TokenScope.APPROVE, days=1)
    clients = {"anonymous": APIClient()}
    for persona, user in {"outsider": bob, "member": dave, "lead": alice, "reviewer": nina}.items():
        clients[persona] = APIClient()
        clients[persona].force_login(user)
    for persona, token in {"member-read-token": member_read, "reviewer-approve-token": reviewer_approve}.items():
        clients[persona] = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    values = {
        "box": box.pk, "awaiting": awaiting.pk, "run": box.runs.first().pk,
        "event": box.audit_events.first().pk, "bigger": {**box.parameters, "instance_type": "t3.small"},
    }  # fmt: skip
    return clients, values


def fill(value, values):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("name", "method"), sorted(ENDPOINTS))
def test_each_persona_gets_what_it_may(world, name, method):
    clients, values = world
    kwargs, body, expected = ENDPOINTS[(name, method)]
    url = reverse(f"api:{name}", kwargs=fill(kwargs, values))
    got = {}
    for persona in PERSONAS:
        with transaction.atomic():  # each persona meets the same world: what one did is rolled back
            response = getattr(clients[persona], method)(url, fill(body, values), format="json")
            transaction.set_rollback(True)
        got[persona] = response.status_code
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"], (persona, error)
    assert got == expected
