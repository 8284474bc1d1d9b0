"""AWS Cost Explorer behind one small adapter: daily spend per environment, by the `idp:environment` tag.

The same request goes to AWS and to the sandbox (moto answers what the sandbox billing seeded),
so the collector's code is the same on both. Errors come out as one type saying whether a
retry can help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

TAG = "idp:environment"
WINDOW_DAYS = 14  # AWS keeps adjusting the last days' figures: read them again each time
METRIC = "UnblendedCost"


class SpendUnavailable(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Window:
    start: date  # first day
    end: date  # the day after the last one (Cost Explorer's End is exclusive)

    @classmethod
    def ending(cls, today: date, days: int = WINDOW_DAYS) -> Window:
        return cls(start=today - timedelta(days=days - 1), end=today + timedelta(days=1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]


def request_for(window: Window) -> dict:
    """The exact get_cost_and_usage request the collector sends (the sandbox seeds its answer)."""
    return {
        "TimePeriod": {"Start": window.start.isoformat(), "End": window.end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": [METRIC],
        "GroupBy": [{"Type": "TAG", "Key": TAG}],
    }


def daily_spend(client, window: Window) -> dict[tuple[int, date], Decimal]:
    """{(environment id, day): amount} for every tagged environment; untagged spend is left out."""
    from botocore.exceptions import BotoCoreError, ClientError

    request, found, token = request_for(window), {}, None
    while True:
        try:
            page = client.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            retryable = code in ("LimitExceededException", "ThrottlingException", "ServiceUnavailable")
            raise SpendUnavailable(f"Cost Explorer refused the request ({code}): {exc}", retryable=retryable) from exc
        except BotoCoreError as exc:  # endpoint unreachable, timeouts, credentials
            raise SpendUnavailable(f"Cost Explorer cannot be reached: {exc}", retryable=True) from exc
        for period in page.get("ResultsByTime", []):
            day = date.fromisoformat(period["TimePeriod"]["Start"])
            for group in period.get("Groups", []):
                key = group["Keys"][0] if group.get("Keys") else ""
                value = key.split("$", 1)[1] if "$" in key else ""
                if not (value.isascii() and value.isdigit()):
                    continue  # no idp:environment tag: not an environment of the portal
                amount = Decimal(group["Metrics"][METRIC]["Amount"])
                found[(int(value), day)] = found.get((int(value), day), Decimal(0)) + amount
        token = page.get("NextPageToken")
        if not token:
            return found


def response_for(window: Window, amounts: dict[tuple[int, date], Decimal], currency: str = "USD") -> dict:
    """A get_cost_and_usage answer in AWS's shape, for the sandbox to seed."""
    periods = []
    for day in window.days():
        groups = [
            {"Keys": [f"{TAG}${environment}"], "Metrics": {METRIC: {"Amount": str(amount), "Unit": currency}}}
            for (environment, when), amount in sorted(amounts.items())
            if when == day and amount
        ]
        periods.append(
            {
                "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": day >= window.end - timedelta(days=2),
            }
        )
    return {"ResultsByTime": periods, "DimensionValueAttributes": [], "GroupDefinitions": [{"Type": "TAG", "Key": TAG}]}
