"""Catalogue pages: the list with search and filters, a pattern's page, the request form and its inline validation."""

import pytest

from catalogue.models import Pattern
from catalogue.services import sync_catalogue
from catalogue.tests.helpers import copy_patterns, edit_yaml, form_data, parse_html, request_records
from conftest import client_for
from provisioning.models import ChangeRequest, Environment

pytestmark = pytest.mark.django_db

PAGES = ["/catalogue/", "/catalogue/web-app/", "/catalogue/web-app/request/"]


def card_slugs(response) -> list[str]:
    return [card.attrs["data-pattern"] for card in parse_html(response.content).find_all("article", cls="card")]


# -- anonymous ---------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_the_login_page(client, catalogue, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", ["/catalogue/web-app/request/", "/catalogue/web-app/request/validate/"])
def test_anonymous_posts_create_nothing(client, web_app, payments, path):
    before = request_records()
    response = client.post(path, {**form_data(web_app, payments), "_field": "app_port"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert request_records() == before


# -- any signed-in user: the catalogue is shared by every team -----------------
@pytest.mark.parametrize("path", PAGES)
def test_a_member_of_any_team_sees_the_catalogue_pages(bob, catalogue, path):
    assert client_for(bob).get(path).status_code == 200


def test_the_catalogue_lists_every_pattern_with_a_request_link(alice, catalogue):
    # when
    response = client_for(alice).get("/catalogue/")

    # then
    assert sorted(card_slugs(response)) == sorted(catalogue)
    page = parse_html(response.content)
    card = next(c for c in page.find_all("article", cls="card") if c.attrs["data-pattern"] == "web-app")
    assert "Public-facing web application" in card.text
    assert "Confidential data" in card.text and "v1.0.0" in card.text
    assert {a.attrs["href"] for a in card.find_all("a")} >= {"/catalogue/web-app/request/", "/catalogue/web-app/"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=warehouse", ["data-warehouse"]),
        ("q=WEB+APPLICATION", ["web-app"]),
        ("q=redshift", ["data-warehouse"]),  # found in the description
        ("q=dead-letter", ["message-queue"]),
        ("category=database", ["postgres-database"]),
        ("category=messaging", ["message-queue"]),
        ("classification=restricted", ["data-warehouse"]),
        ("classification=confidential", ["data-pipeline", "ml-workload", "postgres-database", "web-app"]),
        ("q=step+functions", ["data-pipeline"]),
        ("category=data", ["data-pipeline", "data-warehouse", "ml-workload"]),
        ("q=sagemaker", ["ml-workload"]),
        ("category=web&classification=confidential", ["web-app"]),
        ("q=postgresql&classification=confidential", ["postgres-database", "web-app"]),
        ("category=web&classification=internal", []),
    ],
)
def test_search_and_filters_narrow_the_catalogue(alice, catalogue, query, expected):
    response = client_for(alice).get(f"/catalogue/?{query}")
    assert response.status_code == 200
    assert sorted(card_slugs(response)) == expected


def test_a_search_without_results_says_what_to_do(alice, catalogue):
    response = client_for(alice).get("/catalogue/?q=mainframe")
    assert card_slugs(response) == []
    assert "No pattern matches these filters" in parse_html(response.content).text


def test_the_filters_keep_their_values_on_the_page(alice, catalogue):
    page = parse_html(client_for(alice).get("/catalogue/?q=queue&category=messaging").content)
    assert page.find("input", id="id_q").attrs["value"] == "queue"
    selected = [
        o.attrs["value"] for o in page.find("select", id="id_category").find_all("option") if "selected" in o.attrs
    ]
    assert selected == ["messaging"]


def test_htmx_search_returns_only_the_cards(alice, catalogue):
    response = client_for(alice).get("/catalogue/?q=queue", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert card_slugs(response) == ["message-queue"]


def test_an_inactive_pattern_is_neither_listed_nor_shown(alice, catalogue):
    Pattern.objects.filter(slug="message-queue").update(is_active=False)
    client = client_for(alice)
    assert "message-queue" not in card_slugs(client.get("/catalogue/"))
    assert client.get("/catalogue/message-queue/").status_code == 404
    assert client.get("/catalogue/message-queue/request/").status_code == 404


@pytest.mark.parametrize("path", ["/catalogue/no-such-thing/", "/catalogue/no-such-thing/request/"])
def test_an_unknown_pattern_is_404(alice, catalogue, path):
    assert client_for(alice).get(path).status_code == 404


# -- a pattern's page ----------------------------------------------------------
def test_the_pattern_page_shows_what_it_creates_its_parameters_and_versions(alice, catalogue):
    # when
    response = client_for(alice).get("/catalogue/web-app/")

    # then
    page = parse_html(response.content)
    assert page.find("h1").text == "Public-facing web application"
    text = page.text
    assert "internet-facing application load balancer" in text  # description
    for resource_type in ("aws_lb", "aws_wafv2_web_acl", "aws_db_instance", "aws_kms_key", "aws_cloudwatch_log_group"):
        assert resource_type in text
    assert "Database storage (GiB)" in text and "20 – 1000" in text
    assert "eu-west-1, eu-central-1, us-east-1" in text
    assert "db.t3.micro — 2 vCPU, 1 GiB (dev)" in text
    assert "14 days by default, at most 30" in text
    assert "1.0.0 Current" in text
    assert page.find("a", cls="btn").attrs["href"] == "/catalogue/web-app/request/"


def test_the_pattern_page_lists_deprecated_versions_too(alice, catalogue, tmp_path):
    # given
    root = copy_patterns(tmp_path, "web-app")
    edit_yaml(root / "web-app", lambda d: d.update(version="1.1.0"))
    sync_catalogue(root)

    # when
    text = parse_html(client_for(alice).get("/catalogue/web-app/").content).text

    # then
    assert "1.1.0 Current" in text and "1.0.0 Deprecated" in text


# -- the request form ---------------------------------------------------------
def test_the_request_form_shows_the_current_version(alice, catalogue):
    response = client_for(alice).get("/catalogue/web-app/request/")
    page = parse_html(response.content)
    assert page.find("h1").text == "Request: Public-facing web application"
    assert "Version 1.0.0." in page.find("p", cls="subtitle").text
    version = catalogue["web-app"].current_version
    assert page.find("input", id="id_pattern_version").attrs["value"] == str(version.pk)


def test_a_valid_request_creates_an_environment_and_a_create_change_and_shows_the_change(alice, payments, web_app):
    # given
    data = form_data(
        web_app,
        payments,
        name="checkout-dev",
        tier="dev",
        ttl_days="10",
        reason="Load tests for the checkout",
        app_port="9000",
        database_ingress_cidrs="10.20.0.0/16\n10.30.0.0/16",
        multi_az="on",
        log_retention_days="90",
    )

    # when
    response = client_for(alice).post("/catalogue/web-app/request/", data)

    # then
    environment = Environment.objects.get()
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/changes/{change.pk}/"
    assert (environment.team, environment.name, environment.tier) == (payments, "checkout-dev", "dev")
    assert environment.pattern_version == web_app
    assert environment.created_by == alice
    assert environment.parameters == {
        "region": "eu-west-1",
        "vpc_cidr": "10.20.0.0/16",
        "app_port": 9000,
        "health_check_path": "/health",
        "database_instance_class": "db.t3.micro",
        "database_storage_gb": 20,
        "database_engine_version": "16",
        "database_ingress_cidrs": ["10.20.0.0/16", "10.30.0.0/16"],
        "multi_az": True,
        "log_retention_days": 90,
    }
    assert 9 <= (environment.expires_at - environment.created_at).days <= 10
    assert environment.tags["team"] == "payments" and environment.tags["cost-centre"] == "CC-1001"
    assert (change.action, change.requested_by, change.environment) == ("create", alice, environment)
    assert change.ttl_days == 10 and change.reason == "Load tests for the checkout"
    assert change.source == "portal"


def test_without_a_time_to_live_the_tier_default_applies(alice, payments, web_app):
    client_for(alice).post("/catalogue/web-app/request/", form_data(web_app, payments, tier="test"))
    change = ChangeRequest.objects.get()
    assert change.ttl_days == 30
    assert 29 <= (change.environment.expires_at - change.environment.created_at).days <= 30


def test_the_teammate_sees_the_new_change_and_the_outsider_does_not(alice, dave, bob, payments, web_app):
    response = client_for(alice).post("/catalogue/web-app/request/", form_data(web_app, payments))
    change_url = response["Location"]
    assert client_for(dave).get(change_url).status_code == 200
    assert client_for(bob).get(change_url).status_code == 404


# -- inline validation (htmx) ------------------------------------------------------
def validate(user, data, field):
    return client_for(user).post(
        "/catalogue/web-app/request/validate/", {**data, "_field": field}, headers={"HX-Request": "true"}
    )


def test_inline_validation_returns_the_fields_message(alice, payments, web_app):
    # given
    before = request_records()

    # when
    response = validate(alice, form_data(web_app, payments, database_storage_gb="5"), "database_storage_gb")

    # then
    assert response.status_code == 200
    block = parse_html(response.content).find(id="field-database_storage_gb")
    assert "has-error" in block.classes
    assert block.find("ul", cls="errors").text == "Enter a value of at least 20."
    assert request_records() == before  # validating never submits


def test_inline_validation_of_a_good_value_returns_the_field_without_errors(alice, payments, web_app):
    response = validate(alice, form_data(web_app, payments, database_storage_gb="50"), "database_storage_gb")
    block = parse_html(response.content).find(id="field-database_storage_gb")
    assert block.find("ul", cls="errors") is None
    assert "has-error" not in block.classes


def test_inline_validation_reports_only_the_field_that_changed(alice, payments, web_app):
    response = validate(alice, form_data(web_app, payments, app_port="1", region="x"), "app_port")
    page = parse_html(response.content)
    assert page.find(id="field-app_port") is not None
    assert page.find(id="field-region") is None


def test_inline_validation_checks_team_rules_too(alice, payments, web_app):
    # given the name is taken in the team
    client_for(alice).post("/catalogue/web-app/request/", form_data(web_app, payments, name="checkout-dev"))

    # when
    response = validate(alice, form_data(web_app, payments, name="checkout-dev"), "name")

    # then
    assert "Your team already has an environment called 'checkout-dev'" in parse_html(response.content).text


@pytest.mark.parametrize("field", ["pattern_version", "no_such_field", ""])
def test_inline_validation_of_an_unknown_field_returns_nothing(alice, payments, web_app, field):
    response = validate(alice, form_data(web_app, payments), field)
    assert response.status_code == 204
    assert response.content == b""


def test_inline_validation_only_accepts_post(alice, web_app):
    assert client_for(alice).get("/catalogue/web-app/request/validate/").status_code == 405


def test_inline_validation_does_not_reveal_another_teams_environment_names(alice, bob, payments, web_app):
    # given payments has checkout-dev
    client_for(alice).post("/catalogue/web-app/request/", form_data(web_app, payments, name="checkout-dev"))

    # when the outsider probes that name for payments
    response = validate(bob, form_data(web_app, payments, name="checkout-dev"), "name")

    # then the name is not reported as taken
    assert "already has an environment" not in parse_html(response.content).text
