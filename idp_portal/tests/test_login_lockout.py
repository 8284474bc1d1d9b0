"""Guessing passwords: django-axes locks a username from one address after AXES_FAILURE_LIMIT failures,
on the sign-in page and the admin's; passwords must pass Django's full set of validators."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


def attempt(url: str, username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", PAGES)
def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(root, settings, url):
    # given four wrong guesses, and the fifth locks the user out
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(url, "root", "guess").status_code == 200
    assert attempt(url, "root", "guess").status_code == 429

    # when the right password comes next
    response = attempt(url, "root", PASSWORD)

    # then it is refused with a page that says why and for how long
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed sign-ins" in text and "Back to sign in" in text
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_holds_only_that_user_from_that_address(root, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("/accounts/login/", "root", "guess")

    # another user from the same address, and the same user from another address, still sign in
    assert attempt("/accounts/login/", "alice", PASSWORD).status_code == 302
    assert attempt("/accounts/login/", "root", PASSWORD, address="10.0.0.2").status_code == 302


def test_a_success_before_the_limit_resets_the_count(alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/accounts/login/", "alice", "guess")
    assert attempt("/accounts/login/", "alice", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/accounts/login/", "alice", "guess")
    assert attempt("/accounts/login/", "alice", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("demo", "too short"),
        ("alice1234", "too similar to the username"),
        ("password1234", "too common"),
        ("739184627365918", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_by_the_validators(alice, password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=alice)
    assert reason in " ".join(refused.value.messages)


def test_a_long_uncommon_password_passes(alice):
    validate_password("correct horse battery staple 42", user=alice)


def test_signing_in_without_a_request_is_not_a_door_and_still_checks_the_password(alice):
    from django.contrib.auth import authenticate

    assert authenticate(username="alice", password=PASSWORD) == alice
    assert authenticate(username="alice", password="guess") is None
