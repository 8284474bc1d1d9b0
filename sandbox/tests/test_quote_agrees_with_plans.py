"""The live quote (priced from pattern.yaml before any plan) agrees within 5 % with the estimate of the real plan.

For every shipped pattern, at its defaults and at its largest sizes, the sandbox plans the pattern
with the real terraform binary; the estimator prices that plan; the quote prices the parameters.
"""

from __future__ import annotations

import pytest
import yaml

from costs import prices
from costs.estimate import estimate_plan
from costs.quote import quote

from .helpers import PATTERNS_DIR, pattern_workspace

BOOK = prices.current()
SLUGS = sorted(p.name for p in PATTERNS_DIR.iterdir() if (p / "pattern.yaml").exists())


def largest(prop: dict):
    """The most expensive value a parameter allows: the last choice, the maximum, true."""
    if "oneOf" in prop:
        return prop["oneOf"][-1]["const"]
    if "enum" in prop:
        return prop["enum"][-1]
    if prop.get("type") == "integer" and "maximum" in prop:
        return prop["maximum"]
    if prop.get("type") == "boolean":
        return True
    return prop.get("default")


def priced_parameters(costs: dict) -> set[str]:
    text = yaml.safe_dump(costs.get("resources", []))
    return {word[1:].rstrip(",]}") for word in text.split() if word.startswith("$")}


@pytest.mark.parametrize("sizes", ["default", "largest"])
@pytest.mark.parametrize("slug", SLUGS)
def test_the_quote_agrees_with_the_plans_estimate(slug, sizes, tmp_path, terraform_env, moto_endpoint):
    meta = yaml.safe_load((PATTERNS_DIR / slug / "pattern.yaml").read_text())
    properties = meta["parameters"]["properties"]
    overrides = {}
    if sizes == "largest":
        overrides = {name: largest(properties[name]) for name in priced_parameters(meta["costs"]) if name != "region"}
    tags = {"team": "t", "project": "p", "cost-centre": "c", "environment": "dev"}
    tf, spec, defaults = pattern_workspace(
        tmp_path, terraform_env, moto_endpoint, slug, "quote", "dev", tags, **overrides
    )
    parameters = {**defaults, **overrides}
    usage = meta["costs"].get("usage", {}).get("dev", {})

    planned = estimate_plan(tf.plan_json(), BOOK, parameters["region"], usage)
    quoted = quote(meta["costs"], parameters, tier="dev", region=parameters["region"], book=BOOK)

    assert planned.unknown == [] and quoted.unknown == []
    assert planned.monthly > 0
    assert abs(quoted.monthly - planned.monthly) <= planned.monthly * 5 / 100, (quoted.monthly, planned.monthly)
