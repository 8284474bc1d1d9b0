"""The request form is generated from the pattern version's JSON Schema: one right widget per type and keyword."""

import pytest
from django import forms

from catalogue.models import PatternVersion
from catalogue.services import sync_catalogue
from catalogue.tests.helpers import copy_patterns, edit_yaml, form_data, parse_html
from conftest import client_for, make_user
from provisioning.forms import LinesField, RequestForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(web_app, alice):
    return RequestForm(version=web_app, user=alice)


def rendered_request_page(user, slug: str = "web-app"):
    response = client_for(user).get(f"/catalogue/{slug}/request/")
    assert response.status_code == 200
    return parse_html(response.content)


def test_a_string_enum_becomes_a_select_of_its_values(form):
    field = form.fields["region"]
    assert isinstance(field.widget, forms.Select)
    assert field.choices == [("eu-west-1", "eu-west-1"), ("eu-central-1", "eu-central-1"), ("us-east-1", "us-east-1")]
    assert field.initial == "eu-west-1"


def test_one_of_options_become_a_select_labelled_with_their_titles(form):
    field = form.fields["database_instance_class"]
    assert isinstance(field.widget, forms.Select)
    assert field.choices[0] == ("db.t3.micro", "db.t3.micro — 2 vCPU, 1 GiB (dev)")
    assert [value for value, _ in field.choices] == [
        "db.t3.micro",
        "db.t3.small",
        "db.t3.medium",
        "db.m6g.large",
        "db.r6g.large",
    ]


def test_enum_labels_given_by_the_pattern_are_shown(catalogue, alice):
    form = RequestForm(version=catalogue["dev-environment"].current_version, user=alice)
    assert form.fields["operating_system"].choices == [
        ("amazon-linux-2023", "Amazon Linux 2023"),
        ("ubuntu-22.04", "Ubuntu 22.04 LTS"),
    ]


def test_the_machine_learning_form_offers_notebook_sizes_and_a_bounded_volume(catalogue, alice):
    form = RequestForm(version=catalogue["ml-workload"].current_version, user=alice)
    instance_type, volume = form.fields["notebook_instance_type"], form.fields["volume_size_gb"]
    assert instance_type.choices[0] == ("ml.t3.medium", "ml.t3.medium — 2 vCPU, 4 GiB")
    assert instance_type.initial == "ml.t3.medium"
    assert (volume.widget.attrs["min"], volume.widget.attrs["max"], volume.initial) == (5, 500, 20)
    page = rendered_request_page(alice, "ml-workload")
    assert page.find(id="field-notebook_instance_type").find("label").text.startswith("Notebook instance type")
    assert page.find(id="help-notebook_instance_type").text.startswith("Billed per hour while the notebook runs")


def test_an_integer_enum_is_a_select_that_yields_a_whole_number(web_app, alice, payments):
    # given
    form = RequestForm(form_data(web_app, payments, log_retention_days="90"), version=web_app, user=alice)

    # then
    assert isinstance(form.fields["log_retention_days"].widget, forms.Select)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parameters"]["log_retention_days"] == 90


def test_an_integer_with_bounds_is_a_number_input_with_min_and_max(form):
    field = form.fields["app_port"]
    assert isinstance(field, forms.IntegerField)
    assert isinstance(field.widget, forms.NumberInput)
    assert field.widget.attrs["min"] == 1024 and field.widget.attrs["max"] == 65535
    assert field.initial == 8080


def test_a_boolean_is_an_optional_checkbox(form):
    field = form.fields["multi_az"]
    assert isinstance(field, forms.BooleanField)
    assert isinstance(field.widget, forms.CheckboxInput)
    assert field.required is False  # unticked means false, not missing
    assert field.initial is False


def test_a_boolean_that_defaults_to_true_is_ticked(alice, catalogue):
    # given message-queue's raw_message_delivery defaults to true
    page = rendered_request_page(alice, "message-queue")

    # then
    checkbox = page.find("input", id="id_raw_message_delivery")
    assert checkbox.attrs["type"] == "checkbox"
    assert "checked" in checkbox.attrs


def test_an_unticked_checkbox_is_submitted_as_false(web_app, alice, payments):
    form = RequestForm(form_data(web_app, payments, multi_az=None), version=web_app, user=alice)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parameters"]["multi_az"] is False


def test_an_array_of_strings_is_a_textarea_with_one_value_per_line(web_app, alice, payments):
    # given
    field = RequestForm(version=web_app, user=alice).fields["database_ingress_cidrs"]
    form = RequestForm(
        form_data(web_app, payments, database_ingress_cidrs="10.20.0.0/16\n\n  10.99.0.0/16  \n"),
        version=web_app,
        user=alice,
    )

    # then
    assert isinstance(field, LinesField)
    assert isinstance(field.widget, forms.Textarea)
    assert field.prepare_value(["10.20.0.0/16", "10.21.0.0/16"]) == "10.20.0.0/16\n10.21.0.0/16"
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parameters"]["database_ingress_cidrs"] == ["10.20.0.0/16", "10.99.0.0/16"]


def test_a_string_with_a_pattern_and_max_length_carries_them_to_the_input(form):
    field = form.fields["health_check_path"]
    assert isinstance(field.widget, forms.TextInput)
    assert field.widget.attrs["maxlength"] == 101
    assert field.widget.attrs["pattern"] == "^/[A-Za-z0-9/_.-]{0,100}$"


def test_titles_become_labels_and_descriptions_become_help_texts(form):
    assert form.fields["database_storage_gb"].label == "Database storage (GiB)"
    assert form.fields["database_storage_gb"].help_text == "Allocated gp3 storage."
    assert form.fields["region"].widget.attrs["aria-describedby"] == "help-region"


def test_the_form_has_one_field_per_parameter_after_the_standard_fields(form, web_app):
    assert form.parameter_names == list(web_app.parameters_schema["properties"])
    assert list(form.fields)[:7] == ["pattern_version", "team", "name", "application", "tier", "ttl_days", "reason"]


def test_the_page_marks_required_fields_and_shows_help_texts(alice, catalogue):
    # when
    page = rendered_request_page(alice)

    # then
    def required_mark(name):
        return page.find(id=f"field-{name}").find("span", cls="required") is not None

    assert required_mark("vpc_cidr") and required_mark("database_ingress_cidrs") and required_mark("name")
    assert not required_mark("multi_az") and not required_mark("reason")
    assert page.find(id="help-vpc_cidr").text.startswith("Private IPv4 range of the VPC")
    assert page.find(id="field-database_storage_gb").find("label").text.startswith("Database storage (GiB)")


def test_the_page_shows_the_defaults_as_initial_values(alice, catalogue):
    # when
    page = rendered_request_page(alice)

    # then
    assert page.find("input", id="id_app_port").attrs["value"] == "8080"
    assert page.find("input", id="id_vpc_cidr").attrs["value"] == "10.20.0.0/16"
    assert page.find("textarea", id="id_database_ingress_cidrs").text == "10.20.0.0/16"
    selected = [o.attrs["value"] for o in page.find("select", id="id_log_retention_days").find_all("option")
                if "selected" in o.attrs]  # fmt: skip
    assert selected == ["30"]
    assert "checked" not in page.find("input", id="id_multi_az").attrs


def test_the_tier_choices_follow_the_pattern(catalogue, alice):
    form = RequestForm(version=catalogue["dev-environment"].current_version, user=alice)
    assert [value for value, _ in form.fields["tier"].choices] == ["dev"]
    web = RequestForm(version=catalogue["web-app"].current_version, user=alice)
    assert [value for value, _ in web.fields["tier"].choices] == ["dev", "test", "prod"]


def test_the_team_choices_are_only_the_users_teams(web_app, alice, payments, analytics):
    form = RequestForm(version=web_app, user=alice)
    assert list(form.fields["team"].widget.choices) == [(payments.pk, "Payments")]
    assert form.fields["team"].initial == payments.pk


def test_a_member_of_two_teams_chooses_between_them(web_app, payments, analytics):
    from governance.models import Membership

    carol = make_user("carol", team=payments)
    Membership.objects.create(user=carol, team=analytics)
    form = RequestForm(version=web_app, user=carol)
    assert {label for _, label in form.fields["team"].widget.choices} == {"Payments", "Analytics"}
    assert form.fields["team"].initial is None


def test_an_array_of_whole_numbers_yields_whole_numbers(catalogue, alice, payments, tmp_path):
    # given a pattern whose author declared a list of ports (the loader accepts arrays of integers)
    root = copy_patterns(tmp_path, "message-queue")

    def change(data):
        data["version"] = "1.1.0"
        data["parameters"]["properties"]["allowed_ports"] = {
            "type": "array",
            "title": "Allowed ports",
            "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            "default": [443],
        }

    edit_yaml(root / "message-queue", change)
    with open(root / "message-queue" / "terraform" / "variables.tf", "a") as variables:
        variables.write('\nvariable "allowed_ports" {\n  type = list(number)\n}\n')
    sync_catalogue(root)
    version = PatternVersion.objects.get(pattern__slug="message-queue", version="1.1.0")

    # when
    good = RequestForm(form_data(version, payments, allowed_ports="443\n8443"), version=version, user=alice)
    bad = RequestForm(form_data(version, payments, allowed_ports="443\nhttps"), version=version, user=alice)
    high = RequestForm(form_data(version, payments, allowed_ports="70000"), version=version, user=alice)

    # then
    assert good.is_valid(), good.errors
    assert good.cleaned_data["parameters"]["allowed_ports"] == [443, 8443]
    assert bad.errors["allowed_ports"] == ["Item 2: Enter a whole number."]
    assert high.errors["allowed_ports"] == ["Item 1: Enter a value of at most 65535."]


def test_sizes_are_the_first_choice_of_the_parameters(alice, catalogue):
    page = rendered_request_page(alice, "dev-environment")
    radios = [i for i in page.find_all("input") if i.attrs.get("name") == "size"]
    assert [r.attrs["value"] for r in radios] == ["small", "medium", "large", "custom"]
    # the defaults are the small size, so it is the one chosen
    assert [r.attrs["value"] for r in radios if "checked" in r.attrs] == ["small"]
    html = client_for(alice).get("/catalogue/dev-environment/request/").content.decode()
    assert html.index('name="size"') < html.index('name="instance_type"')
    assert "Large: Instance size t3.medium, Disk size (GiB) 80" in html


def test_a_chosen_size_sets_its_parameters_and_custom_keeps_the_typed_ones(dev_environment, alice, payments):
    typed = {"instance_type": "t3.micro", "volume_size_gb": "25"}
    large = RequestForm(
        form_data(dev_environment, payments, size="large", **typed), version=dev_environment, user=alice
    )
    assert large.is_valid(), large.errors
    assert large.cleaned_data["parameters"]["instance_type"] == "t3.medium"
    assert large.cleaned_data["parameters"]["volume_size_gb"] == 80
    custom = RequestForm(
        form_data(dev_environment, payments, size="custom", **typed), version=dev_environment, user=alice
    )
    assert custom.is_valid(), custom.errors
    assert custom.cleaned_data["parameters"]["volume_size_gb"] == 25
    unknown = RequestForm(form_data(dev_environment, payments, size="huge"), version=dev_environment, user=alice)
    assert not unknown.is_valid()
    assert "Select a valid choice. huge is not one of the available choices." in unknown.errors["size"]


def test_a_pattern_without_sizes_shows_no_size_choice(alice, catalogue):
    page = rendered_request_page(alice, "message-queue")
    assert not [i for i in page.find_all("input") if i.attrs.get("name") == "size"]


def test_the_pipeline_schedule_is_a_choice_of_named_schedules_never_an_expression(catalogue, alice, payments):
    # given the data pipeline's form
    version = catalogue["data-pipeline"].current_version
    field = RequestForm(version=version, user=alice).fields["schedule"]

    # then the schedule is chosen from three, daily by default
    assert isinstance(field.widget, forms.Select)
    assert field.choices == [
        ("hourly", "Every hour"),
        ("daily", "Every day at 02:00 UTC"),
        ("weekly", "Every Monday at 02:00 UTC"),
    ]
    assert field.initial == "daily"
    # and an EventBridge expression typed in is refused
    typed = RequestForm(form_data(version, payments, schedule="rate(1 minute)"), version=version, user=alice)
    assert not typed.is_valid() and "schedule" in typed.errors
    assert RequestForm(form_data(version, payments, schedule="weekly"), version=version, user=alice).is_valid()
