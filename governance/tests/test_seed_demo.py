"""`python manage.py seed_demo`: demo teams and users, only in the embedded/demo setup."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from governance.choices import MembershipRole
from governance.models import Membership, Team

pytestmark = pytest.mark.django_db

USERS = ["alice", "bob", "nina", "sam", "pat", "fiona"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_refuses_outside_the_demo_setup_and_creates_nothing(settings):
    # given a production-like setup
    settings.DEMO_MODE = False

    # when
    with pytest.raises(CommandError) as refused:
        seed()

    # then
    assert "only runs in the embedded/demo setup" in str(refused.value)
    assert not Team.objects.exists()
    assert not User.objects.exists()


def test_seed_demo_creates_the_teams_and_users_with_password_demo(settings):
    # given
    settings.DEMO_MODE = True

    # when
    out = seed()

    # then
    assert "Demo data ready" in out
    assert set(Team.objects.values_list("slug", flat=True)) == {"payments", "analytics"}
    assert set(User.objects.values_list("username", flat=True)) == set(USERS)
    for username in USERS:
        assert (
            authenticate(RequestFactory().post("/accounts/login/"), username=username, password="demo") is not None
        ), username
    assert Membership.objects.get(user__username="alice").team.slug == "payments"
    assert Membership.objects.get(user__username="bob").team.slug == "analytics"
    assert Membership.objects.get(user__username="alice").role == MembershipRole.LEAD


@pytest.mark.parametrize(
    ("username", "group"), [("nina", "network"), ("sam", "security"), ("pat", "platform"), ("fiona", "finance")]
)
def test_seed_demo_puts_each_reviewer_in_their_group_and_in_no_team(settings, username, group):
    settings.DEMO_MODE = True
    seed()
    user = User.objects.get(username=username)
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert not Membership.objects.filter(user=user).exists()


def test_seed_demo_members_are_in_their_teams_group(settings):
    # object permissions on environments are granted to the team's group
    settings.DEMO_MODE = True
    seed()
    alice = User.objects.get(username="alice")
    assert alice.groups.filter(pk=Team.objects.get(slug="payments").group_id).exists()


def test_seed_demo_can_run_twice(settings):
    # given
    settings.DEMO_MODE = True
    seed()
    User.objects.filter(username="alice").update(first_name="Changed")

    # when
    seed()

    # then
    assert User.objects.count() == len(USERS)
    assert Team.objects.count() == 2
    assert Membership.objects.count() == 2
    assert authenticate(RequestFactory().post("/accounts/login/"), username="alice", password="demo") is not None
