"""The live quote: a pattern's price before any plan runs, from its parameters and the price book.

Plain Python. A pattern declares in pattern.yaml (`costs:`) the resources that cost money, with
`$parameter` where a value comes from the form, and the usage it expects per tier; the quote
prices those declared values with the very pricers that price a plan, so the two agree.
"""

from __future__ import annotations

from costs.estimate import Estimate, estimate_resources
from costs.prices import PriceBook


def resolve(value, parameters: dict):
    """The declared value with every `$name` replaced by that parameter's value."""
    if isinstance(value, str) and value.startswith("$"):
        return parameters.get(value[1:])
    if isinstance(value, dict):
        return {key: resolve(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, parameters) for item in value]
    return value


def quote(cost_model: dict, parameters: dict, *, tier: str, region: str, book: PriceBook) -> Estimate | None:
    """None when the pattern declares no costs (its price is known only once planned)."""
    declared = (cost_model or {}).get("resources")
    if not declared:
        return None
    resources = []
    for index, resource in enumerate(declared, start=1):
        values = resolve({k: v for k, v in resource.items() if k not in ("type", "name")}, parameters)
        # `name` is the resource block's name in the module: usage declared for `type.name` applies to it.
        block = f"{resource['type']}.{resource['name']}" if resource.get("name") else resource["type"]
        resources.append((f"{block} #{index}", resource["type"], values))
    usage = ((cost_model or {}).get("usage") or {}).get(tier) or {}
    return estimate_resources(resources, book, region, usage)
