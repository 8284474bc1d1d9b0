"""After creation: upgrade to a newer pattern version, promote along the tiers, drift and its
reconciliation, fixed fields, applications, extension beyond the maximum, confirmed decommission.
The actions, without a worker (the sandbox tests run the same with terraform)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from catalogue.choices import VersionStatus
from catalogue.models import PatternVersion
from catalogue.tests.helpers import parse_html
from conftest import client_for, request_change
from governance.choices import AuditAction, ChangeAction
from governance.models import AuditEvent
from provisioning import actions
from provisioning.actions import runs
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.drift import due_for_drift_check, schedule_drift_checks
from provisioning.forms import UpdateForm
from provisioning.models import ChangeRequest, Environment, Run
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan, running


def publish(pattern, version: str, edit=lambda schema: None, tiers=None) -> PatternVersion:
    """A newer version of `pattern`, as `sync_catalogue` loads one: the old one deprecated."""
    current = pattern.versions.get(status=VersionStatus.CURRENT)
    schema = copy.deepcopy(current.parameters_schema)
    edit(schema)
    pattern.versions.filter(status=VersionStatus.CURRENT).update(status=VersionStatus.DEPRECATED)
    return PatternVersion.objects.create(
        pattern=pattern, version=version, status=VersionStatus.CURRENT, parameters_schema=schema,
        tiers=tiers or current.tiers, data_classification=current.data_classification,
        module_files=current.module_files, resources=current.resources, cost_model=current.cost_model,
        checksum=version.replace(".", "") * 8,
    )  # fmt: skip


def built(change: ChangeRequest, fixture: str) -> Environment:
    change = finish_apply(finish_plan(change, captured_plan(fixture)))
    assert change.status == ChangeStatus.APPLIED, change.failure_reason
    return Environment.objects.get(pk=change.environment_id)


@pytest.fixture
def box(alice, payments, dev_environment):
    return built(request_change(alice, payments, dev_environment, name="box"), "dev-environment-dev")


def add_snapshot_days(schema):
    schema["properties"]["snapshot_days"] = {"type": "integer", "title": "Keep snapshots (days)", "enum": [7, 30],
                                            "default": 7}  # fmt: skip


# -- upgrade ---------------------------------------------------------------------------------
def test_the_upgrade_keeps_what_runs_and_gives_new_parameters_their_defaults(box, alice, catalogue):
    newer = publish(catalogue["dev-environment"], "1.2.0", add_snapshot_days)

    change = actions.upgrade_environment(actor=alice, environment=box, reason="logs")

    assert change.action == ChangeAction.UPDATE and change.pattern_version == newer
    assert change.parameters == {**box.parameters, "snapshot_days": 7}
    submitted = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_SUBMITTED)
    assert "from 1.1.0 to 1.2.0 (new with their defaults: snapshot_days)" in submitted.message
    assert submitted.data["added"] == ["snapshot_days"]
    assert change.runs.get(kind=RunKind.PLAN).status == RunStatus.QUEUED

    # applied, the environment runs the new version and says so in its tags
    finish_apply(finish_plan(change, captured_plan("dev-environment-dev")))
    box.refresh_from_db()
    assert box.pattern_version == newer and box.parameters["snapshot_days"] == 7
    assert box.tags["pattern"] == "dev-environment@1.2.0"


def test_a_removed_parameter_is_dropped_with_a_notice(box, alice, catalogue):
    def drop_os(schema):
        del schema["properties"]["operating_system"]
        schema["required"].remove("operating_system")

    publish(catalogue["dev-environment"], "2.0.0", drop_os)
    change = actions.upgrade_environment(actor=alice, environment=box)
    assert "operating_system" not in change.parameters
    submitted = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_SUBMITTED)
    assert "no longer used: operating_system" in submitted.message


def test_a_new_required_parameter_without_a_default_is_asked_for(box, alice, catalogue):
    def require_owner(schema):
        schema["properties"]["owner_email"] = {"type": "string", "title": "Owner e-mail", "maxLength": 80}
        schema["required"].append("owner_email")

    publish(catalogue["dev-environment"], "1.2.0", require_owner)
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.upgrade_environment(actor=alice, environment=box)
    assert refused.value.errors == {
        "owner_email": ["Version 1.2.0 asks for Owner e-mail, which has no default: enter a value."]
    }
    assert box.changes.count() == 1

    change = actions.upgrade_environment(actor=alice, environment=box, parameters={"owner_email": "ops@example.com"})
    assert change.parameters["owner_email"] == "ops@example.com"


def test_an_upgrade_to_a_version_that_refuses_the_size_says_which_field(box, alice, catalogue):
    def no_micro(schema):
        schema["properties"]["instance_type"]["oneOf"] = schema["properties"]["instance_type"]["oneOf"][1:]
        schema["properties"]["instance_type"]["default"] = "t3.small"

    publish(catalogue["dev-environment"], "1.2.0", no_micro)
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.upgrade_environment(actor=alice, environment=box)
    assert list(refused.value.errors) == ["instance_type"]
    assert box.changes.count() == 1


def test_an_upgrade_to_a_version_without_the_environments_tier_is_refused(alice, payments, catalogue):
    queue = built(request_change(alice, payments, catalogue["message-queue"], name="orders", tier="test"),
                  "message-queue-dev")  # fmt: skip
    publish(catalogue["message-queue"], "1.2.0", tiers={"dev": {"default_ttl_days": 7, "max_ttl_days": 14},
                                                         "prod": {"default_ttl_days": None, "max_ttl_days": None}})  # fmt: skip
    with pytest.raises(actions.ChangeNotAllowed, match="Version 1.2.0 no longer offers the test tier \\(dev, prod\\)"):
        actions.upgrade_environment(actor=alice, environment=queue)


def test_nothing_to_upgrade_on_the_newest_version(box, alice):
    with pytest.raises(actions.ChangeNotAllowed, match="runs the newest version of its pattern already"):
        actions.upgrade_environment(actor=alice, environment=box)


def test_the_preview_plans_the_upgrade_without_a_change(box, alice, catalogue):
    newer = publish(catalogue["dev-environment"], "1.2.0", add_snapshot_days)

    run = actions.preview_upgrade(actor=alice, environment=box)

    assert (run.kind, run.change_request, run.target_version) == (RunKind.PREVIEW, None, newer)
    assert run.parameters["snapshot_days"] == 7
    assert box.changes.count() == 1  # nothing asked for yet
    box.refresh_from_db()
    assert box.status == EnvironmentStatus.ACTIVE and box.pattern_version != newer


def test_the_environment_page_offers_the_upgrade_and_the_form_holds_what_runs(box, alice, catalogue):
    publish(catalogue["dev-environment"], "1.2.0", add_snapshot_days)
    client = client_for(alice)

    page = client.get(f"/environments/{box.pk}/").content.decode()
    assert "Upgrade available" in page and "1.2.0 is out; this environment runs 1.1.0" in page

    form = client.get(f"/environments/{box.pk}/upgrade/").content.decode()
    assert "New in 1.2.0, with their defaults: snapshot_days." in form
    assert '<option value="t3.micro" selected>' in form


# -- promotion -------------------------------------------------------------------------------
@pytest.fixture
def sized_queue(catalogue):
    """message-queue with the dead-letter threshold per tier, the rest carried by a promotion."""

    def per_tier(schema):
        schema["properties"]["max_receive_count"]["x-per-tier"] = True

    return publish(catalogue["message-queue"], "1.0.1", per_tier)


def test_promoting_requests_the_next_tier_with_the_version_and_settings(alice, payments, sized_queue):
    dev = built(request_change(alice, payments, sized_queue, name="orders", max_receive_count=9,
                               visibility_timeout_seconds=60), "message-queue-dev")  # fmt: skip

    change = actions.promote_environment(actor=alice, environment=dev, reason="ready for test")

    test = change.environment
    assert (test.name, test.application, test.tier, test.pattern_version) == (
        "orders-test",
        "orders",
        "test",
        sized_queue,
    )
    assert test.parameters["visibility_timeout_seconds"] == 60  # carried
    assert test.parameters["max_receive_count"] != 9  # per tier: the default
    assert change.promoted_from == dev
    promoted = AuditEvent.objects.get(environment=dev, action=AuditAction.ENVIRONMENT_PROMOTED)
    assert f"promoted payments/orders to the test tier (change #{change.pk})" in promoted.message


def test_promoting_to_an_existing_tier_updates_it_and_keeps_its_sizes(alice, payments, sized_queue):
    dev = built(request_change(alice, payments, sized_queue, name="orders", visibility_timeout_seconds=60),
                "message-queue-dev")  # fmt: skip
    test = built(actions.promote_environment(actor=alice, environment=dev), "message-queue-dev")
    Environment.objects.filter(pk=test.pk).update(parameters={**test.parameters, "max_receive_count": 3})
    update = actions.update_environment(actor=alice, environment=dev,
                                        parameters={**dev.parameters, "visibility_timeout_seconds": 120})  # fmt: skip
    built(update, "message-queue-dev")

    change = actions.promote_environment(actor=alice, environment=dev)

    assert (change.environment_id, change.action) == (test.pk, ChangeAction.UPDATE)
    assert change.parameters["visibility_timeout_seconds"] == 120 and change.parameters["max_receive_count"] == 3
    built(change, "message-queue-dev")
    with pytest.raises(actions.ChangeNotAllowed, match="Nothing to promote: payments/orders-test already runs"):
        actions.promote_environment(actor=alice, environment=dev)


def test_there_is_no_tier_after_production(alice, payments, catalogue):
    prod = Environment.objects.create(
        team=payments, name="orders-prod", application="orders", tier="prod", status=EnvironmentStatus.ACTIVE,
        pattern_version=catalogue["message-queue"].current_version, created_by=alice,
    )  # fmt: skip
    assign_perm("provisioning.view_environment", payments.group, prod)
    with pytest.raises(actions.ChangeNotAllowed, match="offers no tier after prod"):
        actions.promote_environment(actor=alice, environment=prod)


def test_a_pattern_with_one_tier_has_nowhere_to_promote(box, alice):
    with pytest.raises(actions.ChangeNotAllowed, match="Development environment offers no tier after dev \\(dev\\)"):
        actions.promote_environment(actor=alice, environment=box)


def test_the_page_shows_the_path_and_the_version_of_each_tier(alice, payments, sized_queue):
    dev = built(request_change(alice, payments, sized_queue, name="orders"), "message-queue-dev")
    built(actions.promote_environment(actor=alice, environment=dev), "message-queue-dev")
    page = client_for(alice).get(f"/environments/{dev.pk}/").content.decode()
    assert "Promotion path" in page
    assert 'dev: orders</strong> <span class="muted">1.0.1' in page and "test: orders-test</a>" in page
    assert "Promote to test" in page


def test_two_environments_of_one_application_in_one_tier_are_refused(alice, payments, catalogue):
    request_change(alice, payments, catalogue["message-queue"], name="orders")
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.request_environment(
            actor=alice, team=payments, pattern_version=catalogue["message-queue"].current_version, name="orders-2",
            application="orders", tier="dev", ttl_days=None, parameters={}, reason="",
        )  # fmt: skip
    assert refused.value.errors["application"] == [
        "orders already has a dev environment; promote to it or choose another application."
    ]


# -- fixed fields -----------------------------------------------------------------------------
def test_a_field_fixed_at_creation_is_read_only_and_refused(box, alice, catalogue):
    version = box.pattern_version
    version.parameters_schema["properties"]["region"]["x-immutable"] = True
    version.save()
    box.refresh_from_db()

    form = UpdateForm(environment=box)
    assert form.fields["region"].disabled
    assert "Fixed once created" in form.fields["region"].help_text
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.update_environment(actor=alice, environment=box, parameters={**box.parameters, "region": "us-east-1"})
    assert refused.value.errors["region"] == [
        "Region cannot change once created (it would replace the environment); keep 'eu-west-1' or request a new "
        "environment."
    ]


# -- extension beyond the maximum ---------------------------------------------------------------
def test_an_extension_beyond_the_maximum_with_a_reason_waits_for_the_platform_team(box, alice, pat):
    before = box.expires_at
    change = actions.extend_environment(actor=alice, environment=box, days=30, reason="demo to the board on the 20th")

    assert (change.action, change.status) == (ChangeAction.EXTEND, ChangeStatus.AWAITING_APPROVAL)
    assert list(change.requirements.values_list("group", flat=True)) == ["platform"]
    box.refresh_from_db()
    assert box.expires_at == before  # nothing moves until the platform team says yes

    actions.decide_change(actor=pat, change=change, group="platform", decision="approved", comment="ok")

    box.refresh_from_db()
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert box.expires_at - before == timedelta(days=30)


# -- decommission --------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["", "bo", "BOX", "payments/box"])
def test_a_confirmation_that_does_not_match_the_name_changes_nothing(box, alice, typed):
    with pytest.raises(actions.RequestInvalid) as refused:
        actions.decommission_environment(actor=alice, environment=box, confirm_name=typed)
    assert refused.value.errors == {
        "confirm_name": ["Type the environment's name, box, to confirm its decommissioning."]
    }
    assert not box.changes.filter(action="destroy").exists()


def test_the_page_asks_for_the_name_and_says_so_when_it_differs(box, alice):
    client = client_for(alice)
    assert 'name="confirm_name"' in client.get(f"/environments/{box.pk}/").content.decode()
    response = client.post(f"/environments/{box.pk}/decommission/", {"confirm_name": "nope"}, follow=True)
    assert "Type the environment&#x27;s name, box, to confirm its decommissioning." in response.content.decode()
    assert not box.changes.filter(action="destroy").exists()


# -- drift -----------------------------------------------------------------------------------------
DRIFT = [{"address": "module.pattern.aws_s3_bucket.scratch", "type": "aws_s3_bucket", "action": "changed",
          "attributes": [{"name": "tags", "before": '{"team": "payments"}', "after": '{"team": "someone"}'}]}]  # fmt: skip


def drift_found(run: Run, drift: list[dict]) -> None:
    running(run)
    runs.drift_checked(run.pk, exit_code=2 if drift else 0, drift=drift)


def test_a_drift_check_records_what_changed_and_tells_the_team_once(box, dave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as told:
        drift_found(actions.check_drift(actor=dave, environment=box), DRIFT)
    box.refresh_from_db()
    assert box.drift == DRIFT and box.drift_checked_at is not None
    assert AuditEvent.objects.filter(environment=box, action=AuditAction.ENVIRONMENT_DRIFTED).count() == 1
    first_callbacks = len(told)

    # the same drift found again: no second notice
    with django_capture_on_commit_callbacks() as told_again:
        drift_found(actions.check_drift(actor=dave, environment=box), DRIFT)
    assert AuditEvent.objects.filter(environment=box, action=AuditAction.ENVIRONMENT_DRIFTED).count() == 1
    assert len(told_again) < first_callbacks

    page = client_for(dave).get(f"/environments/{box.pk}/").content.decode()
    assert "Changed outside the portal" in page and "module.pattern.aws_s3_bucket.scratch" in page


def test_reconcile_puts_back_what_was_applied_through_the_gates(box, alice):
    drift_found(actions.check_drift(actor=alice, environment=box), DRIFT)

    change = actions.reconcile_drift(actor=alice, environment=box)

    assert (change.action, change.parameters) == (ChangeAction.UPDATE, box.parameters)
    assert change.reason == "Reconcile drift on module.pattern.aws_s3_bucket.scratch"
    finish_apply(finish_plan(change, captured_plan("dev-environment-dev")))
    box.refresh_from_db()
    assert box.drift == []


def test_reconciling_without_drift_is_refused(box, alice):
    with pytest.raises(actions.ChangeNotAllowed, match="no drift to reconcile"):
        actions.reconcile_drift(actor=alice, environment=box)


def test_no_drift_check_while_a_change_holds_the_environment(box, alice):
    update = actions.update_environment(
        actor=alice, environment=box, parameters={**box.parameters, "volume_size_gb": 30}
    )
    with pytest.raises(actions.ChangeNotAllowed, match="busy"):
        actions.check_drift(actor=alice, environment=box)
    assert box.pk not in due_for_drift_check().values_list("pk", flat=True)
    assert update.is_open


def test_the_scheduler_checks_the_oldest_first_a_few_per_round(alice, payments, catalogue, settings):
    settings.DRIFT_CHECKS_PER_ROUND = 2
    version = catalogue["dev-environment"].current_version
    now = timezone.now()
    ages = {"never": None, "old": now - timedelta(days=3), "older": now - timedelta(days=5), "fresh": now}
    for name, checked in ages.items():
        Environment.objects.create(team=payments, name=name, tier="dev", pattern_version=version,
                                   status=EnvironmentStatus.ACTIVE, drift_checked_at=checked, created_by=alice)  # fmt: skip

    assert schedule_drift_checks() == ["payments/never", "payments/older"]
    # the next round: those two are busy with their checks, the fresh one is not due
    assert schedule_drift_checks() == ["payments/old"]
    assert Run.objects.filter(kind=RunKind.DRIFT, environment__name="fresh").count() == 0
    assert all(r.environment.tier == "dev" for r in Run.objects.filter(kind=RunKind.DRIFT))


def test_the_team_page_marks_drifted_environments(box, alice):
    drift_found(actions.check_drift(actor=alice, environment=box), DRIFT)
    page = client_for(alice).get("/teams/payments/").content.decode()
    assert "drifted" in page


# -- the catalogue page ---------------------------------------------------------------------------
def test_the_pattern_page_says_how_many_environments_run_each_version(box, alice, payments, catalogue):
    from catalogue.views import GONE_STATUSES

    assert set(GONE_STATUSES) == set(EnvironmentStatus.gone_values())
    request_change(alice, payments, catalogue["dev-environment"], name="box-2")
    gone = request_change(alice, payments, catalogue["dev-environment"], name="box-3").environment
    Environment.objects.filter(pk=gone.pk).update(status=EnvironmentStatus.DECOMMISSIONED)
    publish(catalogue["dev-environment"], "1.2.0", add_snapshot_days)

    page = parse_html(client_for(alice).get("/catalogue/dev-environment/").content)

    rows = {row.attrs["data-version"]: row.text for row in page.find("table", id="versions").find_all("tr")}
    assert "0 environments" in rows["1.2.0"] and "Current" in rows["1.2.0"]
    assert "2 environments" in rows["1.1.0"] and "Deprecated" in rows["1.1.0"]
