"""The typed settings helpers fail loudly, naming the variable, instead of falling back to a default."""

import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from idp_portal.env import env_bool, env_decimal, env_durations, env_int, env_list, env_str


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
                                               ("0", False), ("False", False), ("no", False), ("off", False)])  # fmt: skip
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("IDP_TEST_FLAG", raw)
    assert env_bool("IDP_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "tru"])
def test_a_boolean_that_is_not_one_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("IDP_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=f"IDP_TEST_FLAG='{raw}' is not a boolean"):
        env_bool("IDP_TEST_FLAG", False)


def test_unset_values_use_the_default(monkeypatch):
    monkeypatch.delenv("IDP_TEST_VALUE", raising=False)
    assert env_bool("IDP_TEST_VALUE", True) is True
    assert env_int("IDP_TEST_VALUE", 7) == 7
    assert env_str("IDP_TEST_VALUE", "x") == "x"
    assert env_decimal("IDP_TEST_VALUE", "1.50") == Decimal("1.50")
    assert env_list("IDP_TEST_VALUE", "a, b") == ["a", "b"]


def test_integers_are_read(monkeypatch):
    monkeypatch.setenv("IDP_TEST_NUMBER", "42")
    assert env_int("IDP_TEST_NUMBER", 1, minimum=10) == 42


@pytest.mark.parametrize("raw", ["forty", "4.5", "1e3", "0x10"])
def test_an_integer_that_is_not_one_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("IDP_TEST_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match=f"IDP_TEST_NUMBER='{raw}' is not a whole number"):
        env_int("IDP_TEST_NUMBER", 1)


def test_an_integer_below_its_minimum_fails_loudly(monkeypatch):
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "0")
    with pytest.raises(ImproperlyConfigured, match="SLACK_TIMEOUT_SECONDS=0 is below the minimum of 1"):
        env_int("SLACK_TIMEOUT_SECONDS", 5, minimum=1)


def test_decimals_are_read(monkeypatch):
    monkeypatch.setenv("IDP_TEST_PRICE", "12.75")
    assert env_decimal("IDP_TEST_PRICE", "0") == Decimal("12.75")


@pytest.mark.parametrize("raw", ["twelve", "12,75", ""])
def test_a_decimal_that_is_not_one_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("IDP_TEST_PRICE", raw)
    with pytest.raises(ImproperlyConfigured, match="IDP_TEST_PRICE=.* is not a decimal number"):
        env_decimal("IDP_TEST_PRICE", "0")


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-inf"])
def test_a_decimal_that_is_not_a_finite_number_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("IDP_TEST_PRICE", raw)
    with pytest.raises(ImproperlyConfigured, match="IDP_TEST_PRICE=.* is not a finite decimal number"):
        env_decimal("IDP_TEST_PRICE", "0")


def test_lists_are_split_on_commas_without_empty_items(monkeypatch):
    monkeypatch.setenv("IDP_TEST_HOSTS", " portal.example.com, ,localhost ,")
    assert env_list("IDP_TEST_HOSTS") == ["portal.example.com", "localhost"]


def test_a_bad_value_stops_the_settings_from_loading():
    # given a typo in production configuration
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "idp_portal.settings", "RUN_TIME_LIMIT_SECONDS": "30m",
           "IDP_VAR_DIR": "/tmp/idp-settings-check", "DATABASE_URL": "sqlite:////tmp/idp-settings-check/db"}  # fmt: skip

    # when
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )

    # then
    assert result.returncode != 0
    assert "RUN_TIME_LIMIT_SECONDS='30m' is not a whole number." in result.stderr


def test_durations_are_read_longest_first(monkeypatch):
    monkeypatch.setenv("IDP_TEST_NOTICES", "2h,7d,30m")
    assert [label for label, _ in env_durations("IDP_TEST_NOTICES", "1d")] == ["7d", "2h", "30m"]


@pytest.mark.parametrize("raw", ["7", "0d", "-1d", "7w", "\u00b2d", "d", "99999999999d"])
def test_a_duration_that_is_not_one_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("IDP_TEST_NOTICES", raw)
    with pytest.raises(ImproperlyConfigured, match="IDP_TEST_NOTICES: .* is not a duration; write e.g. 7d,1d,2h"):
        env_durations("IDP_TEST_NOTICES", "1d")
