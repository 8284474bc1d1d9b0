"""403, 404 and 500 pages in the portal's own look (its top bar and styles), each with a way back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path
from django.views import defaults

from catalogue.tests.helpers import parse_html
from conftest import client_for

pytestmark = pytest.mark.django_db


def looks_like_the_portal(html: str) -> None:
    page = parse_html(html.encode())
    assert page.find("header", cls="topbar") is not None
    assert "/static/css/portal.css" in html
    assert 'href="/"' in html  # the way back


def test_a_page_that_does_not_exist_is_a_404_in_the_portals_look(alice):
    response = client_for(alice).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    looks_like_the_portal(html)
    assert "There is nothing here" in html and "The catalogue" in html


def test_another_teams_page_is_the_same_404(alice):
    response = client_for(alice).get("/organisation/costs/")
    assert response.status_code == 404
    looks_like_the_portal(response.content.decode())


def test_a_refusal_is_a_403_in_the_portals_look_saying_why(alice):
    request = RequestFactory().get("/environments/1/")
    request.user = alice
    response = defaults.permission_denied(request, PermissionDenied("Only a lead may do this."))
    assert response.status_code == 403
    html = response.content.decode()
    looks_like_the_portal(html)
    assert "Not allowed" in html and "javascript:" not in html


def test_a_server_error_is_a_500_in_the_portals_look_without_needing_the_database():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    looks_like_the_portal(html)
    assert "Something went wrong on our side" in html and "Back to the portal" in html


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


def test_an_exception_in_a_view_ends_on_the_500_page(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    looks_like_the_portal(response.content.decode())
