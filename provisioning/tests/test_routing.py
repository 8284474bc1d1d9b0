"""IDP_RUN_QUEUES: which pool of workers runs an environment's Terraform; a mistake stops the portal at start-up."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from conftest import request_change
from provisioning import routing


@pytest.mark.django_db
def test_the_first_matching_rule_picks_the_queue_and_nothing_matching_keeps_the_default(
    settings, alice, bob, payments, analytics, test_patterns
):
    settings.RUN_QUEUES = "tier=prod:idp-prod-account, team=analytics:idp-analytics, region=eu-west-1:idp-eu"
    ours = request_change(alice, payments, test_patterns["scratch-bucket"], name="ours").environment
    theirs = request_change(bob, analytics, test_patterns["scratch-bucket"], name="theirs").environment

    assert routing.queue_for(theirs) == "idp-analytics"  # team before region: the first match wins
    assert routing.queue_for(ours) == "idp-eu"  # the region parameter of the environment
    settings.RUN_QUEUES = "region=us-east-1:idp-us"
    assert routing.queue_for(ours) is None  # Celery's default queue
    settings.RUN_QUEUES = ""
    assert routing.queue_for(ours) is None


@pytest.mark.parametrize(
    ("rules", "says"),
    [
        ("tier=prod", "is not KEY=VALUE:QUEUE; write for example 'tier=prod:idp-prod'"),
        ("account=123456789012:idp-prod", "routes on 'account'; use one of tier, region, team"),
        ("tier=prod:idp prod", "is not KEY=VALUE:QUEUE"),
        ("tier=prod:-idp", "is not a queue name; use letters, digits"),
        ("tier=prod:idp-prod,,tier", "'tier' is not KEY=VALUE:QUEUE"),
    ],
)
def test_a_rule_that_cannot_be_read_says_what_to_write(rules, says):
    with pytest.raises(ImproperlyConfigured, match="IDP_RUN_QUEUES") as raised:
        routing.parse(rules)
    assert says in str(raised.value)


def test_the_portal_does_not_start_with_rules_it_cannot_read(settings):
    settings.RUN_QUEUES = "tier:prod"
    errors = [error for error in run_checks() if error.id == "provisioning.E006"]
    assert len(errors) == 1 and "'tier:prod' is not KEY=VALUE:QUEUE" in errors[0].msg
