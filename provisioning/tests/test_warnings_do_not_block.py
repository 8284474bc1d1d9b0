"""A warning is shown on the change but never stops it."""

from catalogue.parameters import defaults
from provisioning import actions
from provisioning.choices import ChangeSource, ChangeStatus, RunKind


def test_a_development_environment_kept_two_weeks_is_warned_about_and_still_planned(catalogue, alice, payments):
    version = catalogue["dev-environment"].current_version

    change = actions.request_environment(
        actor=alice, team=payments, pattern_version=version, name="long-lived", tier="dev", ttl_days=14,
        parameters=defaults(version.parameters_schema), source=ChangeSource.PORTAL,
    )  # fmt: skip

    assert change.status == ChangeStatus.CHECKING
    assert [(r["policy"], r["severity"], r["field"]) for r in change.policy_results] == [
        ("params-dev-lifetime", "warn", "ttl_days")
    ]
    assert change.runs.filter(kind=RunKind.PLAN).count() == 1
