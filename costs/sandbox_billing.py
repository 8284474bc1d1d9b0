"""The sandbox's bill: what runs (resources in state x the price book x hours), served by moto's Cost Explorer.

moto answers get_cost_and_usage with results queued at /moto-api/static/ce/cost-and-usage-results;
the sandbox queues the answer to exactly the request the collector will send, so the collector's
code is the same on the sandbox and on AWS.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from costs.cost_explorer import Window, request_for, response_for
from costs.estimate import estimate_resources
from costs.prices import PriceBook

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Running:
    """An environment as the bill sees it: its id, its priced resources, its usage, when it ran."""

    id: int
    region: str
    resources: list[tuple[str, str, dict]]
    usage: dict
    started: datetime
    stopped: datetime | None


def amounts(environments: list[Running], window: Window, book: PriceBook, tz) -> dict[tuple[int, date], Decimal]:
    """{(environment, day): cost} for each day of the window each environment ran, prorated by the hour."""
    found = {}
    for env in environments:
        monthly = estimate_resources(env.resources, book, env.region, env.usage).monthly
        if not monthly:
            continue
        for day in window.days():
            start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
            hours = _overlap(start, start + DAY, env.started, env.stopped or datetime.now(tz)) / 3600
            if hours > 0:
                share = Decimal(str(hours)) / (book.hours_per_month)
                found[(env.id, day)] = (monthly * share).quantize(Decimal("0.0001"))
    return found


def _overlap(a_start, a_end, b_start, b_end) -> float:
    return max(0.0, (min(a_end, b_end) - max(a_start, b_start)).total_seconds())


def seed(endpoint: str, window: Window, found: dict[tuple[int, date], Decimal], currency: str) -> dict:
    """Queue moto's answer to the collector's request for `window`; returns that request."""
    body = json.dumps({"results": [response_for(window, found, currency)]}).encode()
    request = urllib.request.Request(  # noqa: S310 - the sandbox cloud's local endpoint
        f"{endpoint.rstrip('/')}/moto-api/static/ce/cost-and-usage-results",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    return request_for(window)
