"""Free text with Unicode bidi controls ("Trojan Source") reaches reviewers as visible code points, not as
text that displays differently from what it says."""

import pytest
from django.contrib.auth.models import Group

from conftest import client_for, make_user, request_change
from provisioning.tests.plans import captured_plan, finish_plan

pytestmark = pytest.mark.django_db

# Shows as "open to the office only" while holding a right-to-left override.
TRICK = "open to the office only \u202eylno eciffo\u202c \u2066isolated\u2069"


@pytest.fixture
def tricky_change(alice, payments, web_app):
    return finish_plan(request_change(alice, payments, web_app, reason=TRICK), captured_plan("web-app-dev"))


def shows_no_raw_controls(html: str) -> None:
    assert not any(ch in html for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    assert "[U+202E]ylno eciffo[U+202C]" in html and "[U+2066]isolated[U+2069]" in html


@pytest.mark.parametrize("page", ["queue", "change", "admin"])
def test_a_reviewer_sees_the_controls_in_a_reason(tricky_change, nina, page):
    reader = make_user("root", is_staff=True, is_superuser=True) if page == "admin" else nina
    url = {
        "queue": "/approvals/",
        "change": f"/changes/{tricky_change.pk}/",
        "admin": f"/admin/provisioning/changerequest/{tricky_change.pk}/change/",
    }[page]
    response = client_for(reader).get(url)
    assert response.status_code == 200
    shows_no_raw_controls(response.content.decode())


def test_the_stored_reason_is_kept_as_given(tricky_change):
    tricky_change.refresh_from_db()
    assert tricky_change.reason == TRICK


def test_a_page_without_controls_is_untouched(alice, payments, dev_environment):
    change = request_change(alice, payments, dev_environment, name="box", reason="plain words")
    response = client_for(alice).get(f"/changes/{change.pk}/")
    assert "plain words" in response.content.decode() and "[U+" not in response.content.decode()


def test_an_approval_comment_is_shown_neutralised_to_the_requester(tricky_change, alice, nina):
    from provisioning.actions import decide_change

    Group.objects.get_or_create(name="network")
    make_user("nadia", groups=["network"])
    decide_change(actor=nina, change=tricky_change, group="network", decision="rejected", comment=TRICK)
    shows_no_raw_controls(client_for(alice).get(f"/changes/{tricky_change.pk}/").content.decode())
