"""Actual spend: the sandbox bills what runs, the collector reads it back through Cost Explorer (moto),
idempotently; budget alerts and anomalies are sent once each."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import boto3
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from guardian.shortcuts import assign_perm

from catalogue.tests.helpers import parse_html
from conftest import client_for
from costs.alerts import anomalies
from costs.collector import collect
from costs.cost_explorer import SpendUnavailable
from costs.models import BudgetAlert, CostRecord, SpendAnomaly, SpendSync
from idp_portal.components import free_port
from provisioning import spend
from provisioning.models import Environment

# A month of one t3.micro and its 20 GiB gp3 (0.0114 x 730 + 20 x 0.088 = 10.082, to the cent), a day of it.
T3_MICRO_DAY = Decimal("10.08") * 24 / 730


@pytest.fixture
def box(payments, alice, dev_environment):
    """A development environment running for three days: one t3.micro with 20 GiB, as its state says."""
    env = Environment.objects.create(
        team=payments, name="box", tier="dev", pattern_version=dev_environment, created_by=alice, status="active",
        estimated_monthly_cost=Decimal("10.08"),
        resources=[{"address": "module.pattern.aws_instance.this", "type": "aws_instance", "id": "i-1", "tags": {},
                    "values": {"instance_type": "t3.micro", "root_block_device": [{"volume_size": 20, "volume_type": "gp3"}]}}],
    )  # fmt: skip
    Environment.objects.filter(pk=env.pk).update(created_at=timezone.now() - timedelta(days=3))
    assign_perm("provisioning.view_environment", payments.group, env)
    return Environment.objects.get(pk=env.pk)


def test_the_sandbox_bill_is_collected_into_daily_records_once(box, moto_server, settings, alice):
    settings.AWS_ENDPOINT_URL = moto_server.endpoint
    moto_server.reset()

    first = spend.sync_spend()
    records = {r.day: r.amount for r in CostRecord.objects.filter(environment=box)}
    again = spend.sync_spend()

    today = timezone.now().date()
    assert first.ok and first.source == "sandbox" and first.records == 4  # three days ago, and up to today
    assert records[today - timedelta(days=1)] == T3_MICRO_DAY.quantize(Decimal("0.0001"))
    assert sum(records.values()) < 4 * T3_MICRO_DAY
    assert again.ok and CostRecord.objects.filter(environment=box).count() == 4, "collecting twice stores nothing twice"
    page = parse_html(client_for(alice).get("/teams/payments/").content)
    assert "Sandbox figures" in page.find(id="sandbox-figures").text
    assert (
        f"Month to date {_money(sum(v for d, v in records.items() if d.month == today.month))}"
        in page.find(id="figures").text
    )


def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def test_an_unreachable_cost_explorer_keeps_the_last_figures_and_says_so(box, moto_server, settings, alice):
    settings.AWS_ENDPOINT_URL = moto_server.endpoint
    moto_server.reset()
    spend.sync_spend()
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(SpendUnavailable) as failed:
        collect(spend.cost_explorer(), source="sandbox", environments=[box.pk])
    assert failed.value.retryable
    assert SpendSync.objects.first().error.startswith("Cost Explorer cannot be reached")
    page = client_for(alice).get("/teams/payments/").content.decode()
    assert "The last sync failed; showing the figures above." in page
    assert CostRecord.objects.filter(environment=box).exists()


def test_the_sync_task_backs_off_when_cost_explorer_is_unreachable(db, monkeypatch):
    from celery.exceptions import Retry

    from provisioning.tasks import sync_spend_task

    def unreachable(today=None):
        raise SpendUnavailable("Cost Explorer cannot be reached: connection refused", retryable=True)

    monkeypatch.setattr(spend, "sync_spend", unreachable)
    with pytest.raises(Retry):
        sync_spend_task()


# -- alerts ---------------------------------------------------------------------------------------
def test_each_threshold_is_told_once_a_month_by_actual_or_projected_spend(
    box, payments, django_capture_on_commit_callbacks
):
    # given a $10 budget and $8.50 spent on the last day of November; box runs at $10.08 a month
    payments.monthly_budget, payments.budget_alert_thresholds = Decimal(10), [80, 100]
    payments.save()
    CostRecord.objects.create(environment=box, day=date(2026, 11, 30), amount=Decimal("8.50"))

    with django_capture_on_commit_callbacks() as told:
        november = spend.check_budgets(date(2026, 11, 30))
        again = spend.check_budgets(date(2026, 11, 30))
        december = spend.check_budgets(date(2026, 12, 1))

    # then 80 % is told in November (spent), 80 and 100 % again in December (projected), each once
    assert [(a.threshold, a.basis) for a in november] == [(80, "actual")]
    assert again == []
    assert [(a.threshold, a.basis) for a in december] == [(80, "projected"), (100, "projected")]
    assert len(told) == 3


def test_a_day_over_twice_the_usual_is_an_anomaly_reported_once(box):
    day = timezone.now().date() - timedelta(days=1)
    for n in range(1, 15):
        CostRecord.objects.create(environment=box, day=day - timedelta(days=n), amount=Decimal("1.00"))
    CostRecord.objects.create(environment=box, day=day, amount=Decimal("2.50"))

    assert [a.amount for a in anomalies([box.pk], day=day)] == [Decimal("2.5000")]
    assert anomalies([box.pk], day=day) == []
    assert SpendAnomaly.objects.count() == 1


def test_two_beat_processes_send_each_alert_once(transactional_db, payments, alice, dev_environment, worker_env):
    # given a team over 80 % of its budget, checked by two processes at the same moment
    payments.monthly_budget = Decimal(10)
    payments.save()
    env = Environment.objects.create(team=payments, name="box", tier="dev", pattern_version=dev_environment,
                                     created_by=alice, status="active")  # fmt: skip
    CostRecord.objects.create(environment=env, day=date.today(), amount=Decimal("9.00"))
    command = [sys.executable, "manage.py", "sync_spend", "--alerts-only"]
    env_vars = {**worker_env, "DJANGO_SETTINGS_MODULE": "idp_portal.test_settings"}
    processes = [
        subprocess.Popen(command, env=env_vars, stdout=subprocess.PIPE, text=True, cwd=django_settings.BASE_DIR)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]

    # then each threshold was recorded, and so told, exactly once between them
    assert all(p.returncode == 0 for p in processes), outputs
    assert BudgetAlert.objects.filter(team=payments).count() == 1
    assert sorted(int(o.split()[0]) for o in outputs) == [0, 1]


def test_a_teams_budget_becomes_an_aws_budget_filtered_by_its_tag(payments, moto_server, settings):
    settings.AWS_ENDPOINT_URL = moto_server.endpoint
    moto_server.reset()

    assert spend.sync_aws_budget(payments.pk) == "idp-team-payments"

    budgets = boto3.client("budgets", endpoint_url=moto_server.endpoint, region_name="us-east-1",
                           aws_access_key_id="sandbox", aws_secret_access_key="sandbox")  # fmt: skip
    budget = budgets.describe_budget(AccountId="123456789012", BudgetName="idp-team-payments")["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "5000.00", "Unit": "USD"}
    assert budget["CostFilters"] == {"TagKeyValue": ["user:team$payments"]}
