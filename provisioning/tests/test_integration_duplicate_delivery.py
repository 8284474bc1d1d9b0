"""The same task delivered more than once (late acknowledgement, a broker redelivering) never runs terraform
twice for one run: the first delivery claims the run, the others find it taken and do nothing."""

import time

import pytest

from conftest import request_change
from provisioning.choices import ChangeStatus, RunKind
from provisioning.tasks import run_terraform_task
from provisioning.tests.conftest import wait_for_status

pytestmark = pytest.mark.integration


def test_each_run_delivered_three_times_runs_terraform_once(sandbox, aws, catalogue, alice, payments):
    worker = sandbox["worker"]
    before = worker.log_path.read_text()

    # given a request whose plan task is delivered three times at once
    change = request_change(alice, payments, catalogue["dev-environment"], name="twice")
    plan = change.runs.get()
    run_terraform_task.delay(plan.pk)
    run_terraform_task.delay(plan.pk)

    # when it is planned and applied (the apply delivered three times too, as soon as it exists)
    deadline = time.monotonic() + 180
    while not change.runs.filter(kind=RunKind.APPLY).exists() and time.monotonic() < deadline:
        change.refresh_from_db()
        if change.status in {ChangeStatus.FAILED, ChangeStatus.REJECTED}:
            break
        time.sleep(0.1)
    apply = change.runs.filter(kind=RunKind.APPLY).first()
    if apply is not None:
        run_terraform_task.delay(apply.pk)
        run_terraform_task.delay(apply.pk)
    change = wait_for_status(change, ChangeStatus.APPLIED)

    # then terraform ran once per run, and the cloud holds one of each resource
    log = worker.log_path.read_text()[len(before) :]
    assert log.count(f"plan run {plan.pk} started") == 1
    assert log.count(f"apply run {apply.pk} started") == 1
    assert change.runs.count() == 2
    instances = [
        i
        for r in aws("ec2").describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    assert len(instances) == 1
