"""Pages cost the same number of queries with one environment or many (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.parameters import defaults
from conftest import client_for
from provisioning import actions
from provisioning.choices import ChangeSource


def queries_for(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_environments(user, team, version, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        actions.request_environment(
            actor=user, team=team, pattern_version=version, name=f"env-{index:03d}", tier="dev", ttl_days=3,
            parameters=defaults(version.parameters_schema), source=ChangeSource.API,
        )  # fmt: skip


def test_the_environment_list_does_not_grow_with_the_environments(catalogue, alice, payments):
    version = catalogue["message-queue"].current_version
    client = client_for(alice)
    add_environments(alice, payments, version, 1)
    one = queries_for(client, "/environments/")

    add_environments(alice, payments, version, 10, start=1)

    assert queries_for(client, "/environments/") == one


def test_the_catalogue_does_not_grow_with_the_patterns(catalogue, alice):
    assert queries_for(client_for(alice), "/catalogue/") <= 6


def test_the_approval_queue_does_not_grow_with_the_changes(catalogue, alice, nina, payments):
    from provisioning.choices import ChangeStatus
    from provisioning.models import ApprovalRequirement, ChangeRequest

    version = catalogue["message-queue"].current_version
    client = client_for(nina)

    def wait_for_network(count, start):
        add_environments(alice, payments, version, count, start=start)
        for change in ChangeRequest.objects.filter(status=ChangeStatus.CHECKING):
            change.status = ChangeStatus.AWAITING_APPROVAL
            change.save()
            ApprovalRequirement.objects.create(change_request=change, group="network", reasons=["test"])

    wait_for_network(1, 0)
    one = queries_for(client, "/approvals/")
    wait_for_network(5, 1)

    assert queries_for(client, "/approvals/") == one
