"""GitOps the whole way on the sandbox: a commit pushed to a real bare repository, a signed webhook, the
sync on a real worker, then the plan and apply of the development environment by the real worker; then
the file is removed from a pruning repository and the environment is decommissioned the same way."""

from __future__ import annotations

import pytest

from idp_portal.components import wait_for
from provisioning.choices import ChangeStatus, EnvironmentStatus, FileSyncStatus
from provisioning.gitops.signature import sign
from provisioning.models import ChangeRequest, Repository, RequestFileSync
from provisioning.tests.conftest import wait_for_status
from provisioning.tests.gitops_remote import Remote
from provisioning.tests.test_gitops_request_files import BOX

pytestmark = pytest.mark.integration
SECRET = "integration secret"
PATH = "environments/box.yaml"


def push_webhook(client, sha: str) -> None:
    body = f'{{"ref": "refs/heads/main", "after": "{sha}"}}'.encode()
    response = client.post("/gitops/webhook/", body, content_type="application/json",
                            headers={"X-Hub-Signature-256": sign(SECRET, body), "X-GitHub-Event": "push"})  # fmt: skip
    assert response.status_code == 202, response.content


def synced_to(repository: Repository, sha: str) -> None:
    wait_for(lambda: Repository.objects.get(pk=repository.pk).last_synced_commit == sha, 60,
             f"the worker to sync {repository} to {sha[:12]}")  # fmt: skip


def test_a_pushed_file_is_built_on_the_sandbox_and_pruned_when_removed(sandbox, client, catalogue, alice, payments,
                                                                      tmp_path):  # fmt: skip
    remote = Remote(tmp_path)
    repository = Repository(name="platform-requests", url=str(remote.bare), folder="environments", prune=True)
    repository.set_webhook_secret(SECRET)
    repository.save()
    repository.teams.add(payments)

    # given alice pushes a request file and the Git host calls the webhook
    remote.write(PATH, BOX)
    sha = remote.commit("Request a box")
    push_webhook(client, sha)

    # then a worker syncs it, and the change it submitted is planned and applied by the worker
    synced_to(repository, sha)
    file = RequestFileSync.objects.get(path=PATH)
    assert file.status == FileSyncStatus.SUBMITTED, file.message
    change = wait_for_status(ChangeRequest.objects.get(pk=file.change_id), ChangeStatus.APPLIED)
    assert (change.source, change.requested_by) == ("gitops", alice)
    environment = change.environment
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE and environment.outputs["instance_id"].startswith("i-")

    # when she removes the file from the pruning repository
    remote.remove(PATH)
    removed = remote.commit("Done with the box")
    push_webhook(client, removed)

    # then the environment is decommissioned through the same path
    synced_to(repository, removed)
    destroy = wait_for_status(ChangeRequest.objects.get(environment=environment, action="destroy"),
                              ChangeStatus.APPLIED)  # fmt: skip
    assert destroy.source == "gitops"
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DECOMMISSIONED
    assert RequestFileSync.objects.get(path=PATH).status == FileSyncStatus.REMOVED
