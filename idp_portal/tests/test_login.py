"""Signing in and out with Django's auth views at /accounts/."""

import pytest
from django.test import Client

from catalogue.tests.helpers import parse_html
from conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


def test_the_login_page_is_public():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    page = parse_html(response.content)
    assert page.find("input", id="id_username") is not None
    assert page.find("input", id="id_password").attrs["type"] == "password"


def test_a_member_signs_in_and_lands_on_their_teams_at_a_glance(alice, payments):
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == 200
    page = parse_html(response.content)
    assert "alice" in page.find("div", cls="user").text
    assert payments.name in page.text


def test_signing_in_returns_to_the_page_asked_for(alice):
    response = Client().post(
        "/accounts/login/?next=/catalogue/", {"username": "alice", "password": PASSWORD, "next": "/catalogue/"}
    )
    assert response.status_code == 302 and response["Location"] == "/catalogue/"


def test_a_wrong_password_is_refused_with_a_message(alice):
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Your username and password did not match" in parse_html(response.content).text
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_sign_in(payments):
    make_user("eve", team=payments, is_active=False)
    client = Client()
    client.post("/accounts/login/", {"username": "eve", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(alice):
    client = client_for(alice)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/environments/").status_code == 302


def test_the_demo_hint_is_only_shown_in_the_embedded_setup(settings):
    settings.EMBEDDED_SETUP = True
    assert "password demo" in parse_html(Client().get("/accounts/login/").content).text
    settings.EMBEDDED_SETUP = False
    assert "password demo" not in parse_html(Client().get("/accounts/login/").content).text
