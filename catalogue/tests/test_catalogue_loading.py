"""sync_catalogue on good pattern folders: the shipped catalogue, re-syncs, new versions and edits."""

import pytest
from django.conf import settings

from catalogue.choices import VersionStatus
from catalogue.models import Pattern, PatternVersion, UnknownSize
from catalogue.services import CatalogueError, sync_catalogue
from catalogue.tests.helpers import catalogue_state, edit_yaml
from conftest import request_change
from governance.choices import AuditAction
from governance.models import AuditEvent

pytestmark = pytest.mark.django_db

SHIPPED = {"data-pipeline", "data-warehouse", "dev-environment", "message-queue", "ml-workload", "postgres-database",
           "web-app"}  # fmt: skip
LOADED = sorted(["data-pipeline 1.0.0", "data-warehouse 1.0.0", "dev-environment 1.1.0", "message-queue 1.0.0", "ml-workload 1.0.0",
                 "postgres-database 1.0.0", "web-app 1.0.0"])  # fmt: skip


def resource_types(version) -> set[str]:
    return {r["type"] for r in version.resources}


def test_the_shipped_patterns_load_as_one_current_version_each():
    # when
    report = sync_catalogue(settings.PATTERNS_DIR)

    # then
    assert {p.slug for p in Pattern.objects.all()} == SHIPPED
    assert sorted(report.added) == LOADED
    assert PatternVersion.objects.filter(status=VersionStatus.CURRENT).count() == len(SHIPPED)
    assert not report.updated and not report.unchanged


def test_the_web_application_lists_what_it_creates_and_its_parameters(catalogue):
    # given
    version = catalogue["web-app"].current_version

    # then
    assert catalogue["web-app"].name == "Public-facing web application"
    assert catalogue["web-app"].category == "web"
    assert catalogue["web-app"].data_classification == "confidential"
    assert {
        "aws_vpc",
        "aws_subnet",
        "aws_lb",
        "aws_wafv2_web_acl",
        "aws_wafv2_web_acl_association",
        "aws_db_instance",
        "aws_kms_key",
        "aws_s3_bucket",
        "aws_cloudwatch_log_group",
    } <= resource_types(version)
    assert all(set(r) == {"type", "name"} and r["name"] for r in version.resources)
    properties = version.parameters_schema["properties"]
    assert {"region", "vpc_cidr", "database_instance_class", "database_storage_gb", "multi_az"} <= set(properties)
    assert version.tiers["dev"] == {"default_ttl_days": 14, "max_ttl_days": 30}
    assert version.allowed_tiers == ["dev", "test", "prod"]
    assert "variables.tf" in version.module_files and "main.tf" in version.module_files


@pytest.mark.parametrize(
    ("slug", "expected", "absent"),
    [
        (
            "data-warehouse",
            {"aws_vpc", "aws_kms_key", "aws_s3_bucket_public_access_block", "aws_redshift_cluster"},
            {"aws_internet_gateway"},
        ),
        ("dev-environment", {"aws_instance", "aws_security_group", "aws_s3_bucket"}, set()),
        ("postgres-database", {"aws_db_instance", "aws_db_subnet_group", "aws_security_group"}, set()),
        ("message-queue", {"aws_sqs_queue", "aws_sns_topic"}, set()),
        (
            "data-pipeline",
            {"aws_sfn_state_machine", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_iam_role"},
            {"aws_vpc", "aws_internet_gateway"},
        ),
        (
            "ml-workload",
            {"aws_sagemaker_notebook_instance", "aws_vpc_endpoint", "aws_iam_role", "aws_cloudwatch_event_rule"},
            {"aws_internet_gateway", "aws_nat_gateway"},
        ),
    ],
)
def test_each_shipped_pattern_lists_the_resources_its_module_declares(catalogue, slug, expected, absent):
    version = catalogue[slug].current_version
    assert expected <= resource_types(version)
    assert not absent & resource_types(version)


def test_the_development_environment_only_offers_a_short_lived_dev_tier(catalogue):
    version = catalogue["dev-environment"].current_version
    assert version.allowed_tiers == ["dev"]
    assert version.tiers["dev"]["max_ttl_days"] <= 14


def test_the_development_environment_answers_to_its_alias_and_offers_sizes(catalogue):
    # the seed's command names it `app-environment` and asks for `--size=small`
    pattern = Pattern.objects.named("app-environment")
    assert pattern.slug == "dev-environment"
    assert Pattern.objects.named("dev-environment") == pattern
    assert Pattern.objects.named("environment") is None
    version = pattern.current_version
    assert list(version.sizes) == ["small", "medium", "large"]
    small = version.parameters_for(size="small")
    assert small["instance_type"] == "t3.micro" and small["volume_size_gb"] == 20
    assert small["region"] == "eu-west-1"  # the defaults fill what the size does not name
    # a value given explicitly wins over the size's
    assert version.parameters_for(size="large", parameters={"volume_size_gb": 30})["volume_size_gb"] == 30
    with pytest.raises(UnknownSize, match="There is no size 'huge': choose one of small, medium, large."):
        version.parameters_for(size="huge")


def test_syncing_the_same_files_again_changes_nothing(catalogue):
    # given
    before = catalogue_state()

    # when
    report = sync_catalogue(settings.PATTERNS_DIR)

    # then
    assert sorted(report.unchanged) == LOADED
    assert not report.added and not report.updated
    assert catalogue_state() == before  # not even an audit event


def test_a_sync_that_loads_something_is_recorded_in_the_audit_log():
    # when
    sync_catalogue(settings.PATTERNS_DIR)

    # then
    event = AuditEvent.objects.get(action=AuditAction.CATALOGUE_SYNCED)
    assert f"{len(SHIPPED)} added" in event.message
    assert sorted(event.data["added"]) == LOADED


def test_a_new_version_number_adds_a_version_and_deprecates_the_old_one(patterns_root):
    # given
    sync_catalogue(patterns_root)
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="1.1.0", summary="Now with more logs."))

    # when
    report = sync_catalogue(patterns_root)

    # then
    assert report.added == ["web-app 1.1.0"]
    versions = dict(Pattern.objects.get(slug="web-app").versions.values_list("version", "status"))
    assert versions == {"1.0.0": VersionStatus.DEPRECATED, "1.1.0": VersionStatus.CURRENT}
    assert Pattern.objects.get(slug="web-app").summary == "Now with more logs."
    assert Pattern.objects.get(slug="web-app").current_version.version == "1.1.0"


def test_editing_a_version_in_use_is_refused_with_the_file_and_field(patterns_root, alice, payments):
    # given an environment built from web-app 1.0.0
    sync_catalogue(patterns_root)
    version = PatternVersion.objects.get(pattern__slug="web-app", version="1.0.0")
    request_change(alice, payments, version)
    before = catalogue_state()
    edit_yaml(patterns_root / "web-app", lambda d: d["parameters"]["properties"]["app_port"].update(default=9090))

    # when
    with pytest.raises(CatalogueError) as refused:
        sync_catalogue(patterns_root)

    # then
    [error] = refused.value.errors
    assert error.file == str(patterns_root / "web-app" / "pattern.yaml")
    assert error.field == "version"
    assert "1.0.0 is used by 1 environment(s) and cannot be edited in place" in error.reason
    assert "1.0.1" in error.reason  # suggests the next version number
    assert catalogue_state() == before
    version.refresh_from_db()
    assert version.parameters_schema["properties"]["app_port"]["default"] == 8080


def test_editing_a_terraform_file_of_a_version_in_use_is_refused_too(patterns_root, alice, payments):
    # given
    sync_catalogue(patterns_root)
    request_change(alice, payments, PatternVersion.objects.get(pattern__slug="web-app"))
    before = catalogue_state()
    with open(patterns_root / "web-app" / "terraform" / "outputs.tf", "a") as tf:
        tf.write('\noutput "extra" {\n  value = var.name\n}\n')

    # when
    with pytest.raises(CatalogueError, match="cannot be edited in place"):
        sync_catalogue(patterns_root)

    # then
    assert catalogue_state() == before


def test_editing_a_version_nobody_uses_updates_it_in_place(patterns_root):
    # given
    sync_catalogue(patterns_root)
    old = PatternVersion.objects.get(pattern__slug="web-app")
    edit_yaml(patterns_root / "web-app", lambda d: d["parameters"]["properties"]["app_port"].update(default=9090))

    # when
    report = sync_catalogue(patterns_root)

    # then
    assert report.updated == ["web-app 1.0.0"]
    version = PatternVersion.objects.get(pattern__slug="web-app")
    assert version.pk == old.pk and version.status == VersionStatus.CURRENT
    assert version.parameters_schema["properties"]["app_port"]["default"] == 9090
    assert version.checksum != old.checksum


def test_an_older_version_number_than_the_loaded_one_is_refused(patterns_root):
    # given 1.1.0 is loaded
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="1.1.0"))
    sync_catalogue(patterns_root)
    before = catalogue_state()
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="1.0.5"))

    # when
    with pytest.raises(CatalogueError) as refused:
        sync_catalogue(patterns_root)

    # then
    [error] = refused.value.errors
    assert error.field == "version"
    assert "1.0.5 is older than the loaded version 1.1.0" in error.reason
    assert catalogue_state() == before


def test_version_numbers_are_compared_as_numbers_not_text(patterns_root):
    # given 1.9.0 is loaded
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="1.9.0"))
    sync_catalogue(patterns_root)
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="1.10.0"))

    # when
    report = sync_catalogue(patterns_root)

    # then
    assert report.added == ["web-app 1.10.0"]
    assert Pattern.objects.get(slug="web-app").current_version.version == "1.10.0"


def test_a_refused_pattern_rolls_back_the_good_patterns_synced_with_it(patterns_root, alice, payments):
    # given web-app 1.0.0 is in use, and in the same sync a good new version of another pattern
    sync_catalogue(patterns_root)
    request_change(alice, payments, PatternVersion.objects.get(pattern__slug="web-app"))
    before = catalogue_state()
    edit_yaml(patterns_root / "message-queue", lambda d: d.update(version="2.0.0", name="Queue and topic"))
    edit_yaml(patterns_root / "web-app", lambda d: d.update(summary="Edited in place."))

    # when
    with pytest.raises(CatalogueError):
        sync_catalogue(patterns_root)

    # then nothing of message-queue 2.0.0 was kept
    assert catalogue_state() == before
    assert Pattern.objects.get(slug="message-queue").name == "Message queue"
