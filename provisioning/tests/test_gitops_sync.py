"""Syncing a real Git repository (a bare repository on disk, real commits): files become changes through
the actions as their commits' authors; removals prune only when allowed; every problem shows on the file."""

from __future__ import annotations

import pytest

from conftest import client_for, make_user
from governance.models import AuditEvent
from provisioning.choices import ChangeStatus, EnvironmentStatus, FileSyncStatus
from provisioning.gitops.sync import sync_repository
from provisioning.models import ChangeRequest, Environment, Repository, RequestFileSync
from provisioning.tests.gitops_remote import Remote
from provisioning.tests.test_gitops_request_files import BOX

pytestmark = pytest.mark.django_db
PATH = "environments/box.yaml"


@pytest.fixture
def remote(tmp_path):
    return Remote(tmp_path)


@pytest.fixture
def repository(remote, payments, alice, catalogue, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    repository = Repository.objects.create(name="platform-requests", url=str(remote.bare), folder="environments")
    repository.teams.add(payments)
    return repository


def synced(repository) -> Repository:
    assert sync_repository(repository.pk)
    repository.refresh_from_db()
    return repository


def state(path=PATH) -> RequestFileSync:
    return RequestFileSync.objects.get(path=path)


def built(change: ChangeRequest) -> Environment:
    """Stand-in for the worker: the change applied, the environment running."""
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeStatus.APPLIED)
    Environment.objects.filter(pk=change.environment_id).update(status=EnvironmentStatus.ACTIVE)
    return Environment.objects.get(pk=change.environment_id)


def test_an_added_file_requests_the_environment_as_the_commits_author(repository, remote, alice):
    remote.write(PATH, BOX)
    remote.write("README.md", "not a request file")
    sha = remote.commit("Add box")

    repository = synced(repository)

    change = ChangeRequest.objects.get()
    assert (change.action, change.source, change.requested_by, change.parameters["volume_size_gb"]) == (
        "create", "gitops", alice, 40)  # fmt: skip
    assert repository.last_synced_commit == sha and repository.last_error == ""
    file = state()
    assert (file.status, file.last_commit, file.environment_id, file.change_id) == (
        FileSyncStatus.SUBMITTED, sha, change.environment_id, change.pk)  # fmt: skip
    event = AuditEvent.objects.get(change_request=change, action="change.submitted")
    assert event.data["commit"] == sha and event.data["author"] == "Alice Example <alice@example.com>"
    assert event.data["path"] == PATH and f"commit {sha[:12]}" in event.message


def test_the_same_commit_synced_twice_makes_no_second_change(repository, remote):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    assert synced(repository).last_synced_commit  # the head did not move: nothing to do
    Repository.objects.filter(pk=repository.pk).update(last_synced_commit="")  # as after a lost cache
    synced(repository)
    assert ChangeRequest.objects.count() == 1 and state().status == FileSyncStatus.SUBMITTED


def test_a_changed_file_updates_the_environment(repository, remote):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    built(ChangeRequest.objects.get())

    remote.write(PATH, BOX.replace("volume_size_gb: 40", "volume_size_gb: 60"))
    sha = remote.commit("Bigger disk")
    synced(repository)

    update = ChangeRequest.objects.get(action="update")
    assert update.source == "gitops" and update.parameters["volume_size_gb"] == 60
    assert (state().status, state().last_commit, state().change_id) == (FileSyncStatus.SUBMITTED, sha, update.pk)


def test_a_removed_file_without_pruning_destroys_nothing_and_warns(repository, remote, alice):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    environment = built(ChangeRequest.objects.get())

    remote.remove(PATH)
    remote.commit("Remove box")
    synced(repository)

    assert not ChangeRequest.objects.filter(action="destroy").exists()
    assert Environment.objects.get(pk=environment.pk).status == EnvironmentStatus.ACTIVE
    assert state().status == FileSyncStatus.KEPT
    assert "does not prune: payments/box keeps running" in state().message
    page = client_for(alice).get("/gitops/").content.decode()
    assert "Removed from Git, still running" in page and "does not prune" in page


def test_a_removed_file_with_pruning_decommissions_the_environment(repository, remote, alice):
    repository.prune = True
    repository.save()
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    environment = built(ChangeRequest.objects.get())

    remote.remove(PATH)
    sha = remote.commit("Remove box")
    synced(repository)

    destroy = ChangeRequest.objects.get(action="destroy")
    assert (destroy.environment_id, destroy.source, destroy.requested_by) == (environment.pk, "gitops", alice)
    assert state().status == FileSyncStatus.REMOVED and state().last_commit == sha
    assert AuditEvent.objects.get(change_request=destroy, action="change.submitted").data["commit"] == sha


def test_a_bad_file_shows_its_error_with_file_and_line(repository, remote, alice):
    remote.write(PATH, BOX.replace("40", "5000"))
    remote.write("environments/broken.yaml", "apiVersion: idp/v1\nkind: Environment\nmetadata: [\n")
    remote.commit("Add two files")

    synced(repository)

    assert not ChangeRequest.objects.exists()
    assert state().status == FileSyncStatus.ERROR
    assert state().message == f"{PATH}:12: spec.parameters.volume_size_gb: Enter a value of at most 100."
    assert state("environments/broken.yaml").message.startswith("environments/broken.yaml:4: Not valid YAML")
    page = client_for(alice).get("/gitops/").content.decode()
    assert f"{PATH}:12: spec.parameters.volume_size_gb: Enter a value of at most 100." in page
    assert "environments/broken.yaml:4: Not valid YAML" in page


def test_an_author_who_is_not_in_the_team_is_refused(repository, remote, bob):
    remote.write(PATH, BOX)
    remote.commit("Add box", author="Bob <bob@example.com>")
    make_user("mallory")  # mallory@example.com, in no team
    remote.write("environments/other.yaml", BOX.replace("name: box", "name: other"))
    remote.commit("Add other", author="Mallory <mallory@example.com>")

    synced(repository)

    assert not ChangeRequest.objects.exists()
    assert state().status == FileSyncStatus.REFUSED
    assert "Bob <bob@example.com>, is not a portal user who is a member of payments" in state().message


def test_a_team_the_repository_may_not_manage_is_refused(repository, remote, analytics, bob):
    remote.write(PATH, BOX.replace("team: payments", "team: analytics"))
    remote.commit("Add box", author="Bob <bob@example.com>")
    synced(repository)
    assert state().status == FileSyncStatus.REFUSED and not ChangeRequest.objects.exists()
    assert f"{PATH}:4: metadata.team: platform-requests may not manage team 'analytics'" in state().message


def test_an_unreachable_repository_shows_its_error_and_is_tried_again(repository, remote, alice, tmp_path):
    Repository.objects.filter(pk=repository.pk).update(url=str(tmp_path / "nowhere.git"))
    repository = synced(repository)
    assert "Could not fetch" in repository.last_error and "tried again at the next poll" in repository.last_error
    page = client_for(alice).get("/gitops/").content.decode()
    assert "cannot fetch" in page and "nowhere.git" in page

    remote.write(PATH, BOX)
    remote.commit("Add box")
    Repository.objects.filter(pk=repository.pk).update(url=str(remote.bare))
    assert synced(repository).last_error == "" and ChangeRequest.objects.count() == 1


def test_the_environment_page_links_to_its_request_file(repository, remote, alice):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    page = client_for(alice).get(f"/environments/{state().environment_id}/").content.decode()
    assert f"platform-requests:{PATH}" in page and "/gitops/?team=payments" in page


def test_other_teams_do_not_see_the_files(repository, remote, bob):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    page = client_for(bob).get("/gitops/").content.decode()
    assert PATH not in page and "platform-requests" not in page


def test_a_file_changed_while_its_environment_is_busy_waits_and_is_applied_later(repository, remote):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    create = ChangeRequest.objects.get()  # still being built

    remote.write(PATH, BOX.replace("volume_size_gb: 40", "volume_size_gb: 60"))
    sha = remote.commit("Bigger disk")
    synced(repository)
    assert state().status == FileSyncStatus.WAITING and "busy with change" in state().message
    assert "tries again at each sync" in state().message and not ChangeRequest.objects.filter(action="update")

    built(create)
    synced(repository)  # no new commit: the poll tries the waiting file again
    update = ChangeRequest.objects.get(action="update")
    assert update.parameters["volume_size_gb"] == 60 and (state().status, state().last_commit) == (
        FileSyncStatus.SUBMITTED, sha)  # fmt: skip
    synced(repository)
    assert ChangeRequest.objects.filter(action="update").count() == 1


def test_two_files_for_one_environment_leave_the_second_in_error(repository, remote):
    remote.write(PATH, BOX)
    remote.commit("Add box")
    synced(repository)
    remote.write("environments/copy.yaml", BOX.replace("volume_size_gb: 40", "volume_size_gb: 60"))
    remote.commit("Add a copy")
    synced(repository)
    assert ChangeRequest.objects.count() == 1
    assert state("environments/copy.yaml").message == (
        "environments/copy.yaml:5: metadata.name: payments/box is requested by platform-requests:"
        "environments/box.yaml already; one file per environment.")  # fmt: skip
