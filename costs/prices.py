"""The price book: on-demand AWS prices per region, read from costs/prices/aws.yaml.

Plain Python (no Django). A missing price is None, never 0: the estimator shows it as
"price unknown" and `check_prices` fails when a shipped pattern could hit one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

PRICE_FILE = Path(__file__).resolve().parent / "prices" / "aws.yaml"


class PriceFileError(Exception):
    pass


@dataclass(frozen=True)
class PriceBook:
    currency: str
    hours_per_month: Decimal
    retrieved: str
    source: str
    regions: dict

    def price(self, region: str, key: str, *path: str) -> Decimal | None:
        """The price at regions.<region>.<key>.<path...>, or None when the book has none."""
        value = self.regions.get(region, {}).get(key)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or isinstance(value, dict | bool):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    def keys(self, region: str, key: str, *path: str) -> list[str]:
        value = self.regions.get(region, {}).get(key)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return sorted(value) if isinstance(value, dict) else []


def flatten(regions: dict) -> dict[tuple[str, ...], Decimal]:
    """Every price under `regions:`, keyed (region, key, *sub-keys): ("eu-west-1", "ec2_instance_hour", "t3.micro")."""
    flat: dict[tuple[str, ...], Decimal] = {}

    def walk(node, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
        else:
            flat[path] = Decimal(str(node))

    walk(regions, ())
    return flat


def load(path: Path = PRICE_FILE) -> PriceBook:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise PriceFileError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != 1 or not isinstance(document.get("regions"), dict):
        raise PriceFileError(f"{path}: expected `format: 1` and `regions:` (see the file's header)")
    return PriceBook(
        currency=str(document.get("currency", "USD")),
        hours_per_month=Decimal(str(document.get("hours_per_month", 730))),
        retrieved=str(document.get("retrieved", "")),
        source=str(document.get("source", "")),
        regions=document["regions"],
    )


@lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int) -> PriceBook:
    return load(path)


def current(path: Path = PRICE_FILE) -> PriceBook:
    """The price book, read again when the file changes."""
    return _cached(path, path.stat().st_mtime_ns)
