"""Fix and resubmit: `?from=<change id>` reopens the request form with the old values and each
policy violation next to the field it maps to; for anyone who may not see the change, `from`
is ignored."""

import copy

import pytest
from django.test import Client

from catalogue.tests.helpers import form_values, parse_html
from conftest import client_for, request_change
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.models import ChangeRequest
from provisioning.tests.plans import captured_plan, finish_plan, with_database_open_to

FORM = "/catalogue/web-app/request/"
OPEN_DATABASE = "0.0.0.0/0 to ports 5432-5432"


def reopen(user, change, slug="web-app"):
    return client_for(user).get(f"/catalogue/{slug}/request/?from={change.pk}")


def field_block(content, name: str):
    block = parse_html(content).find(id=f"field-{name}")
    assert block is not None, f"no field {name!r} on the page"
    return block


def violations_in(content, name: str) -> list[str]:
    return [v.text for v in field_block(content, name).find_all("div", cls="policy-violation")]


def all_violations(content) -> list[str]:
    return [v.text for v in parse_html(content).find_all("div", cls="violation")]


@pytest.fixture
def rejected(alice, payments, web_app):
    """alice asked for the web application with its database open to the internet; the plan policy said no."""
    plan = with_database_open_to(captured_plan("web-app-dev"), ["0.0.0.0/0"])
    change = request_change(alice, payments, web_app, database_ingress_cidrs=["0.0.0.0/0"], health_check_path="/ready")
    ChangeRequest.objects.filter(pk=change.pk).update(reason="Checkout for the spring sale")
    change = finish_plan(change, plan)
    assert change.status == ChangeStatus.REJECTED
    assert [(d["policy"], d["field"]) for d in change.denials] == [("plan-no-open-ingress", "database_ingress_cidrs")]
    return change


def test_the_requester_sees_the_form_prefilled_with_the_violation_next_to_its_field(rejected, alice, payments):
    # when alice reopens her rejected request
    response = reopen(alice, rejected)

    # then the form holds what she asked for
    assert response.status_code == 200
    values = form_values(response.content, "request-form")
    assert values["database_ingress_cidrs"] == "0.0.0.0/0"
    assert values["health_check_path"] == "/ready"
    assert (values["name"], values["tier"], values["team"]) == ("checkout", "dev", str(payments.pk))
    assert values["ttl_days"] == str(rejected.ttl_days)
    assert values["reason"] == "Checkout for the spring sale"

    # and the violation sits inside the database ingress field, with what to change
    [violation] = violations_in(response.content, "database_ingress_cidrs")
    assert "Denied: No ingress from large parts of the internet" in violation
    assert OPEN_DATABASE in violation
    assert "How to fix: Replace these ranges with the networks that really need access" in violation

    # and nowhere else: the notice names the rejection, no violation is left without a field
    assert [v for v in all_violations(response.content) if v.startswith("Denied")] == [violation]
    notice = parse_html(response.content).find(id="previous-rejection")
    assert notice.text.startswith(f"Change #{rejected.pk} was rejected by policy.")
    assert notice.find("div", cls="violation") is None
    # the time-to-live warning of the same check sits next to its own field
    [warning] = violations_in(response.content, "ttl_days")
    assert warning.startswith("Warning: Development environments are short-lived")


def test_a_teammate_may_reopen_it_too(rejected, dave):
    response = reopen(dave, rejected)
    assert form_values(response.content, "request-form")["database_ingress_cidrs"] == "0.0.0.0/0"
    assert len(violations_in(response.content, "database_ingress_cidrs")) == 1


def test_for_an_outsider_from_is_ignored(rejected, bob):
    # when bob of analytics forges the link to payments' rejected change
    response = reopen(bob, rejected)

    # then he gets the blank form: none of payments' values, violations or change number
    assert response.status_code == 200
    page = response.content.decode()
    values = form_values(response.content, "request-form")
    assert values["name"] == "" and values["reason"] == ""
    assert values["database_ingress_cidrs"] != "0.0.0.0/0"
    assert values["health_check_path"] == "/health"
    assert "0.0.0.0/0" not in page and "spring sale" not in page
    assert parse_html(response.content).find(id="previous-rejection") is None
    assert all_violations(response.content) == []
    blank = form_values(client_for(bob).get(FORM).content, "request-form")
    del blank["csrfmiddlewaretoken"], values["csrfmiddlewaretoken"]
    assert blank == values


@pytest.mark.parametrize("value", ["abc", "-1", "999999", "", "²", "9" * 5000])
def test_a_from_that_names_no_visible_change_is_ignored(rejected, alice, value):
    response = client_for(alice).get(f"{FORM}?from={value}")
    assert response.status_code == 200
    assert parse_html(response.content).find(id="previous-rejection") is None
    assert form_values(response.content, "request-form")["name"] == ""


def test_a_change_of_another_pattern_is_not_reopened_in_this_form(rejected, alice):
    response = reopen(alice, rejected, slug="postgres-database")
    assert response.status_code == 200
    assert parse_html(response.content).find(id="previous-rejection") is None
    assert "0.0.0.0/0" not in response.content.decode()


def test_a_change_that_was_not_rejected_is_not_reopened(alice, payments, web_app):
    # given a change that passed every policy and waits for review
    waiting = finish_plan(request_change(alice, payments, web_app), captured_plan("web-app-dev"))
    assert waiting.status == ChangeStatus.AWAITING_APPROVAL

    # then there is nothing to fix: the form does not claim it was rejected
    response = reopen(alice, waiting)
    assert parse_html(response.content).find(id="previous-rejection") is None
    assert form_values(response.content, "request-form")["name"] == ""


def test_anonymous_is_sent_to_log_in(rejected):
    response = Client().get(f"{FORM}?from={rejected.pk}")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_parameter_violation_is_shown_next_to_its_field(alice, payments, web_app):
    # given a development environment named like production, refused before any plan
    change = request_change(alice, payments, web_app, name="checkout-prod")
    assert change.status == ChangeStatus.REJECTED and not change.runs.exists()

    response = reopen(alice, change)

    [violation] = violations_in(response.content, "name")
    assert "Denied: Environment names follow the naming rules" in violation
    assert "A dev environment must not be named like production ('prod')." in violation
    assert "How to fix: Remove 'prod' from the name." in violation
    assert form_values(response.content, "request-form")["name"] == "checkout-prod"


def test_a_violation_without_a_field_is_shown_in_the_notice(alice, payments, web_app):
    # given a plan without the load balancer's WAF association (something the form cannot change)
    plan = copy.deepcopy(captured_plan("web-app-dev"))
    association = "aws_wafv2_web_acl_association.this"
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if not rc["address"].endswith(association)]
    module = plan["configuration"]["root_module"]["module_calls"]["pattern"]["module"]
    module["resources"] = [r for r in module["resources"] if r["address"] != association]
    change = finish_plan(request_change(alice, payments, web_app), plan)
    assert change.status == ChangeStatus.REJECTED

    response = reopen(alice, change)

    notice = parse_html(response.content).find(id="previous-rejection")
    assert "Denied: Internet-facing load balancers sit behind a WAF" in notice.text
    assert "module.pattern.aws_lb.this" in notice.text


def test_the_fixed_request_is_submitted_as_a_new_change(rejected, alice, payments):
    # given alice reopened the form and changed the database ingress to her VPC
    client = client_for(alice)
    data = form_values(reopen(alice, rejected).content, "request-form")
    data["database_ingress_cidrs"] = "10.20.0.0/16"

    # when she submits it
    response = client.post(FORM, data)

    # then a new change is made for a new environment of the same name; the old one stays rejected
    assert response.status_code == 302
    change = ChangeRequest.objects.exclude(pk=rejected.pk).get()
    assert response["Location"] == f"/changes/{change.pk}/"
    assert change.parameters["database_ingress_cidrs"] == ["10.20.0.0/16"]
    assert change.parameters["health_check_path"] == "/ready"
    assert change.environment.name == "checkout" and change.environment_id != rejected.environment_id
    assert rejected.environment.status == EnvironmentStatus.WITHDRAWN
    assert change.runs.get().kind == RunKind.PLAN

    # and once planned it passes every policy and waits for network and security
    change = finish_plan(change, captured_plan("web-app-dev"))
    assert change.denials == []
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    assert sorted(change.requirements.values_list("group", flat=True)) == ["network", "security"]
