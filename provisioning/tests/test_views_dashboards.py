"""The home page, the team dashboard and the organisation's costs: who sees what, and what it says."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import boto3
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from catalogue.tests.helpers import parse_html
from conftest import client_for, request_change
from costs.models import CostRecord
from provisioning.models import Environment


def running(team, version, owner, name, monthly, *, tier="dev", expires_in=None, spent=()):
    env = Environment.objects.create(
        team=team, name=name, tier=tier, pattern_version=version, created_by=owner, status="active",
        estimated_monthly_cost=Decimal(monthly),
        expires_at=timezone.now() + expires_in if expires_in else None,
    )  # fmt: skip
    assign_perm("provisioning.view_environment", team.group, env)
    today = timezone.now().date()
    for days_ago, amount in enumerate(spent):
        CostRecord.objects.create(environment=env, day=today - timedelta(days=days_ago), amount=Decimal(amount))
    return env


@pytest.fixture
def payments_fleet(payments, alice, dev_environment, web_app):
    return [
        running(payments, web_app, alice, "shop", "45.18", spent=["1.50"]),
        running(payments, dev_environment, alice, "box", "10.23", expires_in=timedelta(days=1), spent=["0.30"]),
    ]


# -- home ---------------------------------------------------------------------------------------
def test_home_shows_my_teams_at_a_glance_and_my_changes_in_flight(alice, payments, payments_fleet, web_app):
    change = request_change(alice, payments, web_app, name="new-shop")
    page = parse_html(client_for(alice).get("/").content)

    card = page.find("article", cls="card")
    assert card.attrs["data-team"] == "payments"
    assert "3 live environments · $55.41 a month · 1 expiring within 3 days" in card.text
    assert f"#{change.pk}" in page.find(id="in-flight").text
    assert page.find(id="waiting-for-me") is None


def test_a_reviewer_is_told_how_many_changes_wait_for_them(awaiting, nina):
    assert (
        "1 change waits for your review."
        in parse_html(client_for(nina).get("/").content).find(id="waiting-for-me").text
    )


def test_home_is_for_signed_in_users(db):
    assert Client().get("/")["Location"].startswith("/accounts/login/")


# -- the team dashboard ---------------------------------------------------------------------------
def test_the_team_dashboard_shows_figures_environments_and_charts(alice, payments, payments_fleet):
    response = client_for(alice).get("/teams/payments/")
    page = parse_html(response.content)

    figures = page.find(id="figures").text
    assert "Live environments 2" in figures and "Monthly run-rate $55.41" in figures
    assert "Month to date $1.80" in figures
    rows = {
        row.attrs["data-environment"]: row
        for row in page.find(id="team-environments").find_all("tr")
        if "data-environment" in row.attrs
    }
    assert "expiring" in rows["box"].classes and "expiring" not in rows["shop"].classes
    assert "Extend 7 days" in rows["box"].text
    assert "$45.18" in rows["shop"].text and "$1.50" in rows["shop"].text
    for chart in ("daily-chart", "pattern-chart", "tier-chart"):
        assert page.find("canvas", id=chart) is not None


def test_an_outsider_gets_404_and_finance_reads_every_team(bob, fiona, payments, payments_fleet):
    assert client_for(bob).get("/teams/payments/").status_code == 404
    page = client_for(fiona).get("/teams/payments/")
    assert page.status_code == 200 and "shop" in page.content.decode()
    assert "/environments/" not in parse_html(page.content).find(id="team-environments").text  # names, no links
    assert Client().get("/teams/payments/").status_code == 302


def test_the_dashboard_filters_sorts_and_exports_csv(alice, payments, payments_fleet):
    client = client_for(alice)
    costly_first = parse_html(client.get("/teams/payments/?sort=-cost").content).find(id="team-environments")
    names = [row.attrs["data-environment"] for row in costly_first.find_all("tr") if "data-environment" in row.attrs]
    assert names == ["shop", "box"]
    only_web = parse_html(client.get("/teams/payments/?pattern=web-app").content).find(id="team-environments")
    assert "box" not in only_web.text

    export = client.get("/teams/payments/?format=csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert export["Content-Type"] == "text/csv"
    assert {(row["name"], row["estimated_monthly_usd"], row["month_to_date_usd"]) for row in rows} == {
        ("shop", "45.18", "1.5000"),
        ("box", "10.23", "0.3000"),
    }


def test_the_dashboard_costs_the_same_queries_with_ten_or_a_hundred_environments(alice, payments, dev_environment):
    def queries() -> int:
        client = client_for(alice)
        client.get("/teams/payments/")  # warm the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/teams/payments/").status_code == 200
        return len(captured)

    for n in range(10):
        running(payments, dev_environment, alice, f"box-{n}", "10", spent=["1"] * 5)
    few = queries()
    for n in range(10, 100):
        running(payments, dev_environment, alice, f"box-{n}", "10", spent=["1"] * 5)
    assert queries() == few


# -- the organisation ---------------------------------------------------------------------------
def test_the_organisation_view_is_for_platform_and_finance(alice, fiona, pat, payments_fleet, moto_endpoint, settings):
    settings.AWS_ENDPOINT_URL = moto_endpoint
    s3 = boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    s3.create_bucket(Bucket="nobodys-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket="nobodys-bucket", Tagging={"TagSet": [{"Key": "Name", "Value": "made by hand"}]})
    assert client_for(alice).get("/organisation/costs/").status_code == 404
    page = parse_html(client_for(fiona).get("/organisation/costs/").content)
    assert "Payments $1.80 $5,000.00 0 % $55.41" in page.find(id="team-spend").text
    assert "payments/shop $45.18 $1.50" in page.find(id="costliest").text
    assert (
        page.find(id="untagged").text
        == "arn:aws:s3:::nobodys-bucket eu-west-1 missing team, project, cost-centre, environment"
    )
    assert client_for(pat).get("/organisation/costs/").status_code == 200


def test_without_cloud_credentials_in_web_the_page_shows_what_the_workers_collected(
    fiona, payments_fleet, moto_endpoint, settings
):
    from provisioning.tasks import audit_tags_task

    # given production: only the workers hold cloud credentials
    settings.AWS_ENDPOINT_URL, settings.CLOUD_CALLS_IN_WEB = moto_endpoint, False
    s3 = boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    s3.create_bucket(Bucket="handmade-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket="handmade-bucket", Tagging={"TagSet": [{"Key": "Name", "Value": "by hand"}]})

    # then the page says nothing was collected yet, without asking the cloud itself
    assert "not collected yet" in client_for(fiona).get("/organisation/costs/").content.decode()

    # when beat's task runs on a worker
    audit_tags_task()

    # then the page shows its answer
    page = parse_html(client_for(fiona).get("/organisation/costs/").content)
    assert "arn:aws:s3:::handmade-bucket" in page.find(id="untagged").text
