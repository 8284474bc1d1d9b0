"""validate_parameters: every JSON Schema keyword the patterns use, in the words of the form.

The same function judges the form, the API, the CLI and GitOps files, so these
tests call it directly with the shipped schemas.
"""

from pathlib import Path

import pytest
from django.conf import settings

from catalogue.parameters import NON_FIELD, choices, defaults, validate_parameters
from catalogue.tests.helpers import read_yaml


def schema_of(slug: str) -> dict:
    return read_yaml(Path(settings.PATTERNS_DIR) / slug)["parameters"]


WEB = schema_of("web-app")
DATABASE = schema_of("postgres-database")
# A free-text field, as a pattern author may declare one (no enum, no pattern).
FREE_TEXT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string", "title": "Label", "maxLength": 40},
        "script": {"type": "string", "title": "Script", "x-free-text": True},
        "labels": {"type": "array", "title": "Labels", "items": {"type": "string"}},
    },
}


def web(**changes) -> dict:
    return {**defaults(WEB), **changes}


def test_the_defaults_of_every_shipped_pattern_are_valid():
    for folder in sorted(Path(settings.PATTERNS_DIR).iterdir()):
        if (folder / "pattern.yaml").exists():
            schema = read_yaml(folder)["parameters"]
            assert validate_parameters(schema, defaults(schema)) == {}, folder.name


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("app_port", "8080", "Enter a whole number."),
        ("app_port", 80.5, "Enter a whole number."),
        ("multi_az", "yes", "Enter yes or no."),
        ("region", 1, "Enter text."),
        ("database_ingress_cidrs", "10.0.0.0/8", "Enter a list."),
        ("app_port", 80, "Enter a value of at least 1024."),
        ("app_port", 70000, "Enter a value of at most 65535."),
        ("database_storage_gb", 5, "Enter a value of at least 20."),
        ("region", "mars-north-1", "Choose one of: eu-west-1, eu-central-1, us-east-1."),
        ("log_retention_days", 8, "Choose one of: 7, 14, 30, 90, 365."),
        (
            "database_instance_class",
            "db.x1.32xlarge",
            "Choose one of: db.t3.micro, db.t3.small, db.t3.medium, db.m6g.large, db.r6g.large.",
        ),
        ("health_check_path", "/" + "a" * 150, "Use at most 101 characters (this has 151)."),
        (
            "health_check_path",
            "health",
            "Start with / and use letters, digits, /, _, . and - only, e.g. /health.",
        ),
        (
            "vpc_cidr",
            "192.168.0.0/16",
            "Use a private 10.x.y.0 range with a prefix from /16 to /20, e.g. 10.20.0.0/16.",
        ),
        ("database_ingress_cidrs", [], "Choose at least 1."),
        ("database_ingress_cidrs", [f"10.0.{i}.0/24" for i in range(6)], "Choose at most 5."),
        ("database_ingress_cidrs", ["10.0.0.0/8", "10.0.0.0/8"], "Remove the duplicate entries."),
        ("database_ingress_cidrs", ["10.0.0.0/8", "anywhere"], "Item 2: Use an IPv4 CIDR such as 10.20.0.0/16."),
        ("database_ingress_cidrs", [10], "Item 1: Enter text."),
    ],
)
def test_a_bad_value_gets_a_message_that_says_what_to_change(name, value, message):
    errors = validate_parameters(WEB, web(**{name: value}))
    assert set(errors) == {name}
    assert message in errors[name]


def test_a_missing_required_parameter_is_reported_on_its_field():
    values = web()
    del values["vpc_cidr"]
    assert validate_parameters(WEB, values) == {"vpc_cidr": ["This field is required."]}


def test_an_unknown_parameter_is_refused_naming_the_accepted_ones():
    errors = validate_parameters(WEB, web(instance_count=3))
    [message] = errors[NON_FIELD]
    assert message.startswith("Unknown parameter instance_count: this pattern accepts ")
    assert "app_port" in message and "vpc_cidr" in message


def test_values_that_are_not_a_mapping_are_refused():
    assert validate_parameters(WEB, ["region"]) == {
        NON_FIELD: ["Parameters must be a mapping of field names to values."]
    }


def test_every_problem_is_reported_at_once():
    errors = validate_parameters(WEB, web(app_port=1, region="x", database_ingress_cidrs=[]))
    assert set(errors) == {"app_port", "region", "database_ingress_cidrs"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('${file("/etc/passwd")}', "Remove ${: template and shell syntax is not allowed in this field."),
        ("%{ for x in y }", "Remove %{: template and shell syntax is not allowed in this field."),
        ("`id`", "Remove backticks: template and shell syntax is not allowed in this field."),
        ("ok; rm -rf /", "Remove ;: template and shell syntax is not allowed in this field."),
        ("$(id)", "Remove $(: template and shell syntax is not allowed in this field."),
        ("two\nlines", "Remove line breaks and control characters: this field takes a single line."),
        ("tab\there", "Remove line breaks and control characters: this field takes a single line."),
    ],
)
def test_template_and_shell_syntax_is_refused_in_free_text(value, message):
    assert validate_parameters(FREE_TEXT, {"label": value}) == {"label": [message]}
    assert validate_parameters(FREE_TEXT, {"labels": ["fine", value]}) == {"labels": [message]}


def test_a_field_that_opts_in_to_free_text_accepts_template_syntax():
    assert validate_parameters(FREE_TEXT, {"script": "echo ${HOME}; ls `pwd`"}) == {}


def test_plain_text_is_accepted_in_free_text():
    assert validate_parameters(FREE_TEXT, {"label": "Checkout events (EU)", "labels": ["a-b", "c_d"]}) == {}


def test_a_too_long_free_text_gets_the_length_message_only():
    assert validate_parameters(FREE_TEXT, {"label": "x" * 41}) == {
        "label": ["Use at most 40 characters (this has 41)."]
    }


def test_template_syntax_in_a_field_with_a_format_gets_the_format_message():
    errors = validate_parameters(WEB, web(health_check_path="/${jndi}"))
    assert errors == {"health_check_path": ["Start with / and use letters, digits, /, _, . and - only, e.g. /health."]}


def test_choices_of_an_enum_use_its_labels_when_given():
    prop = read_yaml(Path(settings.PATTERNS_DIR) / "dev-environment")["parameters"]["properties"]["operating_system"]
    assert choices(prop) == [("amazon-linux-2023", "Amazon Linux 2023"), ("ubuntu-22.04", "Ubuntu 22.04 LTS")]


def test_choices_of_a_one_of_list_use_the_option_titles():
    assert choices(DATABASE["properties"]["instance_class"])[0] == ("db.t3.micro", "db.t3.micro — 2 vCPU, 1 GiB (dev)")


def test_a_property_without_options_has_no_choices():
    assert choices(WEB["properties"]["app_port"]) is None
