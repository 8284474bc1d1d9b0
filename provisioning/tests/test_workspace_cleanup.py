"""Workspaces left behind by killed runs are removed; those of queued and running runs are kept."""

from conftest import request_change
from provisioning import executor
from provisioning.choices import RunStatus
from provisioning.models import Run
from provisioning.runtime import workspaces_dir


def test_the_folders_of_ended_or_unknown_runs_are_removed(alice, payments, dev_environment, settings, tmp_path):
    settings.TERRAFORM_DIR = tmp_path  # not the folder earlier tests' killed runs left theirs in
    # given a running run, a failed one (its worker was killed) and a folder of a run that no longer exists
    running = request_change(alice, payments, dev_environment, name="box").runs.get()
    failed = request_change(alice, payments, dev_environment, name="other").runs.get()
    Run.objects.filter(pk=running.pk).update(status=RunStatus.RUNNING)
    Run.objects.filter(pk=failed.pk).update(status=RunStatus.FAILED)
    folders = {pk: workspaces_dir() / f"run-{pk}" for pk in (running.pk, failed.pk, 999999)}
    for folder in folders.values():
        (folder / ".terraform").mkdir(parents=True, exist_ok=True)
        (folder / "tfplan").write_text("a plan")
    (workspaces_dir() / "not-a-run").mkdir(exist_ok=True)

    # when a worker starts (or the reaper has reaped)
    removed = executor.clean_stale_workspaces()

    # then
    assert removed == sorted([failed.pk, 999999])
    assert folders[running.pk].exists() and not folders[failed.pk].exists() and not folders[999999].exists()
    assert (workspaces_dir() / "not-a-run").exists()
