"""Typed readers for settings from environment variables.

Each helper fails loudly with the variable's name when a value cannot be
parsed, so a typo in production configuration stops the start instead of
silently falling back to a default (healthchecks `hc/settings.py` does the same).
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name, default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a decimal number.") from None
    if not value.is_finite():
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite decimal number.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def env_durations(name: str, default: str) -> list[tuple[str, timedelta]]:
    """'7d,1d,2h' -> [('7d', 7 days), ('1d', 1 day), ('2h', 2 hours)], longest first."""
    durations = []
    for item in env_list(name, default):
        number, unit = item[:-1], item[-1:]
        try:
            if unit not in _UNITS or not (number.isascii() and number.isdigit()) or int(number) < 1:
                raise ValueError(item)
            durations.append((item, timedelta(**{_UNITS[unit]: int(number)})))
        except (ValueError, OverflowError):  # OverflowError: more days than a timedelta holds
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a duration; write e.g. 7d,1d,2h (days, hours, minutes)."
            ) from None
    return sorted(durations, key=lambda duration: duration[1], reverse=True)
