"""The live quote beside the request form: a price before any plan, with the team's budget beside it."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from catalogue.tests.helpers import form_data, parse_html
from conftest import client_for
from provisioning.models import ChangeRequest

URL = "/catalogue/web-app/request/quote/"


def quote(user, data):
    return client_for(user).post(URL, data) if user else Client().post(URL, data)


def test_the_quote_follows_the_size_picked(alice, payments, web_app):
    small = parse_html(quote(alice, form_data(web_app, payments)).content)
    large = parse_html(quote(alice, form_data(web_app, payments, database_instance_class="db.r6g.large")).content)

    assert small.find(id="quote-total").text.startswith("$47.20")
    assert large.find(id="quote-total").text.startswith("$216.56")  # + (0.252 - 0.02) x 730 for the database
    assert ChangeRequest.objects.count() == 0, "a quote stores nothing"


def test_the_quote_shows_what_is_left_of_the_teams_budget(alice, payments, web_app):
    page = parse_html(quote(alice, form_data(web_app, payments)).content)
    assert page.find(id="quote-budget").text.startswith("$5,000.00 of $5,000.00 left this month; this would add $")


def test_a_quote_over_the_budget_says_what_will_happen(alice, payments, web_app):
    payments.monthly_budget = Decimal("1")
    payments.budget_mode = "deny"
    payments.save()
    page = parse_html(quote(alice, form_data(web_app, payments)).content)
    assert "the request will be refused" in page.find(id="quote-over").text


def test_another_teams_budget_is_never_shown(bob, payments, web_app):
    page = parse_html(quote(bob, form_data(web_app, payments)).content)
    assert page.find(id="quote-total") is not None and page.find(id="quote-budget") is None


def test_anonymous_users_get_the_login_page(web_app, payments):
    response = quote(None, form_data(web_app, payments))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
