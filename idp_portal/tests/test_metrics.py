"""`/metrics` for Prometheus: django-prometheus' request metrics plus the portal's own, read from the database."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from conftest import client_for, request_change
from provisioning.models import Run

pytestmark = pytest.mark.django_db


def scrape(address="127.0.0.1", **extra) -> str:
    response = Client(REMOTE_ADDR=address).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return response.content.decode()


def value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    assert match, f"{sample} not in the scrape"
    return float(match.group(1))


def test_requests_served_are_counted(alice):
    client_for(alice).get("/catalogue/")
    text = scrape()
    assert "django_http_requests_total_by_method_total" in text


def test_runs_by_kind_and_status_and_queue_age(alice, payments, dev_environment):
    request_change(alice, payments, dev_environment, name="box")
    text = scrape()
    assert value(text, 'idp_runs{kind="plan",status="queued"}') == 1
    assert value(text, "idp_run_oldest_queued_seconds") >= 0
    assert "idp_run_duration_seconds_bucket" in text or "# TYPE idp_run_duration_seconds histogram" in text


def test_finished_runs_feed_the_duration_and_wait_histograms(awaiting):
    # given the plan waited 3 s for a worker and ran 40 s
    run = awaiting.runs.get()
    Run.objects.filter(pk=run.pk).update(
        started_at=run.queued_at + timedelta(seconds=3), finished_at=run.queued_at + timedelta(seconds=43)
    )
    text = scrape()
    assert value(text, 'idp_runs{kind="plan",status="succeeded"}') == 1
    assert value(text, 'idp_run_duration_seconds_count{kind="plan"}') == 1
    assert value(text, 'idp_run_duration_seconds_bucket{kind="plan",le="+Inf"}') == 1
    assert value(text, 'idp_run_duration_seconds_bucket{kind="plan",le="30.0"}') == 0
    assert value(text, 'idp_run_duration_seconds_bucket{kind="plan",le="60.0"}') == 1
    assert value(text, 'idp_run_duration_seconds_sum{kind="plan"}') == 40
    assert value(text, 'idp_run_queue_wait_seconds_bucket{kind="plan",le="5.0"}') == 1
    assert value(text, 'idp_run_queue_wait_seconds_sum{kind="plan"}') == 3


def test_approvals_waiting_by_group_and_their_age(awaiting):
    text = scrape()
    assert value(text, 'idp_approvals_waiting{group="network"}') == 1
    assert value(text, 'idp_approvals_waiting{group="security"}') == 1
    assert value(text, 'idp_approvals_oldest_wait_seconds{group="network"}') >= 0


def test_policy_denials_by_policy(rejected_open_database):
    text = scrape()
    denials = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r'^idp_policy_denials_total\{policy="([^"]+)"\} (\S+)$', text, re.M)
    }
    assert denials and all(count >= 1 for count in denials.values())


def test_reaper_recoveries_are_counted(db):
    text = scrape()
    assert value(text, 'idp_reaper_recoveries_total{what="run"}') == 0
    assert value(text, 'idp_reaper_recoveries_total{what="change"}') == 0


def test_metrics_are_refused_outside_the_monitoring_network_without_the_token(settings):
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "scrape-secret"
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert "idp_runs" in scrape("203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-secret")
