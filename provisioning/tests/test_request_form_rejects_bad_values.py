"""A request with a bad value gets a message next to that field, says what to change, and stores nothing."""

import pytest

from catalogue.models import PatternVersion
from catalogue.services import sync_catalogue
from catalogue.tests.helpers import (
    copy_patterns,
    edit_yaml,
    field_errors,
    form_data,
    form_values,
    page_errors,
    parse_html,
    request_records,
)
from conftest import client_for, make_user, request_change
from provisioning.actions import Forbidden, RequestInvalid
from provisioning.models import Environment

pytestmark = pytest.mark.django_db

WEB_REQUEST = "/catalogue/web-app/request/"


@pytest.fixture
def queue_v2(catalogue, tmp_path):
    """message-queue 1.1.0 with a free-text label, and a field that opts in to template syntax."""
    root = copy_patterns(tmp_path, "message-queue")

    def change(data):
        data["version"] = "1.1.0"
        data["parameters"]["properties"]["queue_label"] = {
            "type": "string",
            "title": "Queue label",
            "description": "Shown in the AWS console.",
            "maxLength": 20,
        }
        data["parameters"]["properties"]["consumer_command"] = {
            "type": "string",
            "title": "Consumer command",
            "x-free-text": True,
        }

    edit_yaml(root / "message-queue", change)
    with open(root / "message-queue" / "terraform" / "variables.tf", "a") as variables:
        variables.write('\nvariable "queue_label" {\n  type    = string\n  default = ""\n}\n')
        variables.write('\nvariable "consumer_command" {\n  type    = string\n  default = ""\n}\n')
    sync_catalogue(root)
    return PatternVersion.objects.get(pattern__slug="message-queue", version="1.1.0")


def post(user, data, url=WEB_REQUEST):
    return client_for(user).post(url, data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("app_port", "eighty", "Enter a whole number."),
        ("app_port", "80", "Enter a value of at least 1024."),
        ("app_port", "70000", "Enter a value of at most 65535."),
        ("database_storage_gb", "5", "Enter a value of at least 20."),
        ("database_storage_gb", "5000", "Enter a value of at most 1000."),
        ("region", "mars-north-1", "Choose one of: eu-west-1, eu-central-1, us-east-1."),
        (
            "database_instance_class",
            "db.x1.32xlarge",
            "Choose one of: db.t3.micro, db.t3.small, db.t3.medium, db.m6g.large, db.r6g.large.",
        ),
        ("log_retention_days", "8", "Choose one of: 7, 14, 30, 90, 365."),
        ("log_retention_days", "a month", "Choose one of: 7, 14, 30, 90, 365."),
        ("health_check_path", "/" + "a" * 150, "Use at most 101 characters (this has 151)."),
        ("health_check_path", "health", "Start with / and use letters, digits, /, _, . and - only, e.g. /health."),
        ("health_check_path", "/health;reboot", "Start with / and use letters, digits, /, _, . and - only"),
        ("health_check_path", "/${jndi:ldap}", "Start with / and use letters, digits, /, _, . and - only"),
        ("health_check_path", "/health\n/admin", "Start with / and use letters, digits, /, _, . and - only"),
        ("vpc_cidr", '${file("/etc/passwd")}', "Use a private 10.x.y.0 range with a prefix from /16 to /20"),
        ("vpc_cidr", "`curl evil`", "Use a private 10.x.y.0 range"),
        ("vpc_cidr", "", "This field is required."),
        ("database_ingress_cidrs", "", "This field is required."),
        ("database_ingress_cidrs", "10.0.0.0/8\n10.0.0.0/8", "Remove the duplicate entries."),
        ("database_ingress_cidrs", "\n".join(f"10.0.{i}.0/24" for i in range(6)), "Choose at most 5."),
        ("database_ingress_cidrs", "10.0.0.0/8\n0.0.0.0/0; rm -rf /", "Item 2: Use an IPv4 CIDR such as 10.20.0.0/16."),
        ("database_ingress_cidrs", "999.999.999.999/32", "Item 1: Use an IPv4 CIDR such as 10.20.0.0/16."),
        ("database_ingress_cidrs", "١٠.0.0.0/8", "Item 1: Use an IPv4 CIDR such as 10.20.0.0/16."),
        ("vpc_cidr", "10.300.0.0/16", "Use a private 10.x.y.0 range with a prefix from /16 to /20"),
        ("vpc_cidr", "10.٣.0.0/16", "Use a private 10.x.y.0 range with a prefix from /16 to /20"),
        ("name", "Checkout Dev", "Use 3 to 24 lower-case letters, digits and hyphens"),
        ("name", "ab", "Use 3 to 24 lower-case letters, digits and hyphens"),
        ("name", "checkout-dev-${x}", "Use 3 to 24 lower-case letters, digits and hyphens"),
        ("name", "", "This field is required."),
        ("ttl_days", "31", "The dev tier allows at most 30 days; enter 30 or fewer."),
        ("ttl_days", "0", "Enter at least 1 day."),
        ("ttl_days", "two weeks", "Enter a whole number."),
        ("tier", "staging", "Select a valid choice."),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_stored(web_app, alice, payments, field, value, message):
    # given
    before = request_records()

    # when
    response = post(alice, form_data(web_app, payments, **{field: value}))

    # then
    assert response.status_code == 400
    errors = field_errors(response.content, field)
    assert any(message in error for error in errors), errors
    assert "Some fields need a change" in page_errors(response.content)
    assert request_records() == before


def test_the_values_typed_are_kept_when_the_form_comes_back(web_app, alice, payments):
    # when
    response = post(alice, form_data(web_app, payments, app_port="80", vpc_cidr="10.77.0.0/16", name="shop-dev"))

    # then
    page = parse_html(response.content)
    assert page.find("input", id="id_app_port").attrs["value"] == "80"
    assert page.find("input", id="id_vpc_cidr").attrs["value"] == "10.77.0.0/16"
    assert page.find("input", id="id_name").attrs["value"] == "shop-dev"


def test_every_bad_field_is_reported_at_once(web_app, alice, payments):
    response = post(alice, form_data(web_app, payments, app_port="1", region="x", name="X"))
    assert field_errors(response.content, "app_port") == ["Enter a value of at least 1024."]
    assert field_errors(response.content, "region")
    assert field_errors(response.content, "name")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('${file("/etc")}', "Remove ${: template and shell syntax is not allowed in this field."),
        ("%{if x}y%{endif}", "Remove %{: template and shell syntax is not allowed in this field."),
        ("`id`", "Remove backticks: template and shell syntax is not allowed in this field."),
        ("orders; rm -rf /", "Remove ;: template and shell syntax is not allowed in this field."),
        ("$(id)", "Remove $(: template and shell syntax is not allowed in this field."),
        ("orders\nevents", "Remove line breaks and control characters: this field takes a single line."),
        ("x" * 21, "Use at most 20 characters (this has 21)."),
    ],
)
def test_template_or_shell_syntax_in_free_text_is_refused(queue_v2, alice, payments, value, message):
    # given
    before = request_records()

    # when
    response = post(alice, form_data(queue_v2, payments, queue_label=value), "/catalogue/message-queue/request/")

    # then
    assert response.status_code == 400
    assert field_errors(response.content, "queue_label") == [message]
    assert request_records() == before


def test_a_field_that_allows_free_text_accepts_template_syntax(queue_v2, alice, payments):
    # when
    data = form_data(queue_v2, payments, queue_label="orders", consumer_command="run ${QUEUE}; echo `date`")
    response = post(alice, data, "/catalogue/message-queue/request/")

    # then
    assert response.status_code == 302
    environment = Environment.objects.get()
    assert environment.parameters["consumer_command"] == "run ${QUEUE}; echo `date`"
    assert environment.parameters["queue_label"] == "orders"


def test_a_form_posted_for_a_deprecated_version_is_refused(queue_v2, alice, payments):
    # given a form that was opened while 1.0.0 was current
    old = PatternVersion.objects.get(pattern__slug="message-queue", version="1.0.0")
    before = request_records()

    # when
    response = post(alice, form_data(old, payments), "/catalogue/message-queue/request/")

    # then
    assert response.status_code == 400
    assert (
        "This request was for version 1.0.0 of Message queue, which was replaced by version 1.1.0. "
        "Review the form and submit it again." in page_errors(response.content)
    )
    assert request_records() == before


def test_after_a_deprecated_version_is_refused_the_form_submits_the_current_version(queue_v2, alice, payments):
    # given the refusal of a form opened on 1.0.0
    old = PatternVersion.objects.get(pattern__slug="message-queue", version="1.0.0")
    response = post(alice, form_data(old, payments), "/catalogue/message-queue/request/")

    # when the user reviews the form and submits it again, as the message asks
    response = post(alice, form_values(response.content, "request-form"), "/catalogue/message-queue/request/")

    # then it is accepted, for the current version
    assert response.status_code == 302, field_errors(response.content, "name") + [page_errors(response.content)]
    assert Environment.objects.get().pattern_version == queue_v2


def test_a_form_posted_with_a_version_of_another_pattern_is_refused(web_app, catalogue, alice, payments):
    # given
    before = request_records()
    data = form_data(web_app, payments, pattern_version=str(catalogue["message-queue"].current_version.pk))

    # when
    response = post(alice, data)

    # then
    assert response.status_code == 400
    assert "This form does not belong to this pattern; reload the page." in page_errors(response.content)
    assert request_records() == before


def test_a_request_for_a_team_the_user_is_not_in_is_refused(web_app, alice, payments, analytics):
    # given
    before = request_records()

    # when
    response = post(alice, form_data(web_app, analytics))

    # then
    assert response.status_code == 403
    assert field_errors(response.content, "team") == [
        "You are not a member of team analytics; only its members may request environments for it."
    ]
    assert request_records() == before
    assert not Environment.objects.filter(team=analytics).exists()


def test_an_outsider_cannot_request_on_behalf_of_another_team(web_app, bob, payments):
    before = request_records()
    response = post(bob, form_data(web_app, payments))
    assert response.status_code == 403
    assert field_errors(response.content, "team") == [
        "You are not a member of team payments; only its members may request environments for it."
    ]
    assert request_records() == before


def test_a_user_in_no_team_cannot_request_anything(web_app, nina, payments):
    before = request_records()
    response = post(nina, form_data(web_app, payments))
    assert response.status_code == 403
    assert field_errors(response.content, "team")
    assert request_records() == before


def test_the_same_environment_name_twice_in_a_team_is_refused(web_app, alice, dave, payments):
    # given
    assert post(alice, form_data(web_app, payments, name="checkout-dev")).status_code == 302
    before = request_records()

    # when a teammate asks for the same name
    response = post(dave, form_data(web_app, payments, name="checkout-dev"))

    # then
    assert response.status_code == 400
    assert field_errors(response.content, "name") == [
        "Your team already has an environment called 'checkout-dev'; choose another name."
    ]
    assert request_records() == before


def test_another_team_may_use_the_same_environment_name(web_app, alice, bob, payments, analytics):
    assert post(alice, form_data(web_app, payments, name="checkout-dev")).status_code == 302
    assert post(bob, form_data(web_app, analytics, name="checkout-dev")).status_code == 302
    assert Environment.objects.filter(name="checkout-dev").count() == 2


@pytest.mark.parametrize(("tier", "maximum"), [("dev", 30), ("test", 90)])
def test_a_time_to_live_above_the_tier_maximum_is_refused(web_app, alice, payments, tier, maximum):
    before = request_records()
    response = post(alice, form_data(web_app, payments, tier=tier, ttl_days=str(maximum + 1)))
    assert field_errors(response.content, "ttl_days") == [
        f"The {tier} tier allows at most {maximum} days; enter {maximum} or fewer."
    ]
    assert request_records() == before


def test_a_tier_the_pattern_does_not_offer_is_refused(catalogue, alice, payments):
    version = catalogue["dev-environment"].current_version
    before = request_records()
    response = post(alice, form_data(version, payments, tier="prod"), "/catalogue/dev-environment/request/")
    assert response.status_code == 400
    assert field_errors(response.content, "tier")
    assert request_records() == before


def test_an_inactive_user_cannot_request(web_app, payments):
    # given a member whose account was switched off
    eve = make_user("eve", team=payments, is_active=False)
    before = request_records()

    # when
    client = client_for(eve)
    response = client.post(WEB_REQUEST, form_data(web_app, payments))

    # then
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert request_records() == before


def test_the_request_service_refuses_a_team_the_user_is_not_in(web_app, bob, payments):
    # the API, CLI and GitOps doors call the service directly, without the form's team choices
    before = request_records()
    with pytest.raises(Forbidden, match="You are not a member of team payments; only its members may request"):
        request_change(bob, payments, web_app)
    assert request_records() == before


def test_the_request_service_refuses_bad_parameters_with_field_messages(web_app, alice, payments):
    before = request_records()
    with pytest.raises(RequestInvalid) as refused:
        request_change(alice, payments, web_app, database_storage_gb=5, region="mars-north-1")
    assert refused.value.errors == {
        "database_storage_gb": ["Enter a value of at least 20."],
        "region": ["Choose one of: eu-west-1, eu-central-1, us-east-1."],
    }
    assert request_records() == before
