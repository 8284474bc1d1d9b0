"""Fetch the prices of the offline price file from the AWS Price List Query API (`pricing:GetProducts`).

Plain Python (no Django). The price file's shape is the list of what to fetch: every leaf under
`regions.<region>` is asked with its query plan (costs/price_plans.py); identical questions are
asked once and every answer is read to its last page. Only on-demand terms are read, the first
paid tier (list price, no free tier). Nothing is guessed: an answer with no matching product, or
products at different prices, becomes a `Problem` and the caller keeps the old value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from costs.price_plans import Plan, Query, plan
from costs.prices import flatten

PRICING_REGION = "us-east-1"  # the Query API answers from us-east-1 (and ap-south-1) for every region

# Usage types carry a region prefix (EU-BoxUsage:t3.micro), except in us-east-1 where most have none
# and newer services write USE1-; KMS writes the region code itself (eu-west-1-KMS-Keys). A product is
# picked only when its usage type is one of these prefixes plus the wanted name, so look-alikes such as
# TS-LoadBalancerUsage, Outposts-LCUUsage or EU-RegionalNatGateway-Hours never match.
USAGE_TYPE_PREFIXES = {"us-east-1": ("", "USE1"), "eu-west-1": ("EU",), "eu-central-1": ("EUC1",)}


class PricingAPIError(Exception):
    """The Price List API cannot be used at all (credentials, permission, network): the run stops."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Problem:
    region: str
    path: tuple[str, ...]
    reason: str  # short, written next to the kept value: "no product", "several prices", ...
    detail: str
    query: Query | None = None

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        asked = f"\n    get_products: {self.query}" if self.query else ""
        return f"{self.region} {self.key}: {self.reason}: {self.detail}{asked}"


@dataclass(frozen=True)
class Offer:
    """One product of an answer: its on-demand price (first paid tier; 0 when every tier is free)."""

    sku: str
    usagetype: str
    price: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{self.sku} {self.usagetype or '(no usage type)'} ${format(self.price.normalize(), 'f')}/{self.unit}"


@dataclass
class Fetched:
    prices: dict[tuple[str, ...], Decimal] = field(default_factory=dict)  # (region, *path) -> price in file units
    problems: list[Problem] = field(default_factory=list)
    requests: int = 0


# -- answers ----------------------------------------------------------------------------------------
def offer(document: dict) -> Offer | None:
    """The on-demand price of one PriceList document; None when it has no on-demand USD price."""
    product = document.get("product") or {}
    dimensions = [
        dimension
        for term in ((document.get("terms") or {}).get("OnDemand") or {}).values()
        for dimension in (term.get("priceDimensions") or {}).values()
        if "USD" in (dimension.get("pricePerUnit") or {})
    ]
    if not dimensions:
        return None
    dimensions.sort(key=lambda d: Decimal(d.get("beginRange") or "0"))
    # Tiered products start with a free tier (SNS, KMS requests) or a volume tier (S3): the list price is
    # the first tier that costs something.
    paid = [d for d in dimensions if Decimal(d["pricePerUnit"]["USD"]) > 0]
    chosen = (paid or dimensions)[0]
    return Offer(
        sku=str(product.get("sku", "")),
        usagetype=str((product.get("attributes") or {}).get("usagetype", "")),
        price=Decimal(chosen["pricePerUnit"]["USD"]),
        unit=str(chosen.get("unit", "")),
    )


def usage_type_matches(usagetype: str, wanted: str, region: str) -> bool:
    prefixes = (*USAGE_TYPE_PREFIXES.get(region, ()), region)
    return any(usagetype == (f"{prefix}-{wanted}" if prefix else wanted) for prefix in prefixes)


def price(plan: Plan, documents: list[dict]) -> Decimal | Problem:
    """The one price the answer gives for this plan, in the file's unit; else the Problem."""
    if not documents:
        return _problem(plan, "no product", "the answer was empty")
    offers = [o for o in map(offer, documents) if o is not None]
    if not offers:
        return _problem(plan, "no product", f"none of its {len(documents)} product(s) has an on-demand USD price")
    if plan.usagetype:
        seen = sorted({o.usagetype for o in offers})
        offers = [o for o in offers if usage_type_matches(o.usagetype, plan.usagetype, plan.region)]
        if not offers:
            had = ", ".join(seen[:8]) + (" ..." if len(seen) > 8 else "")
            hint = "" if plan.region in USAGE_TYPE_PREFIXES else " (add the region's prefix to USAGE_TYPE_PREFIXES)"
            detail = f"none of its usage types ({had}) is {plan.usagetype} in {plan.region}{hint}"
            return _problem(plan, "no product", detail)
    prices = {o.price for o in offers}
    if len(prices) > 1:
        listed = "; ".join(str(o) for o in sorted(offers, key=lambda o: (o.price, o.sku)))
        return _problem(plan, "several prices", f"{len(offers)} products at {len(prices)} prices: {listed}")
    (found,) = prices
    if found == 0:
        return _problem(plan, "price 0", f"every matching product is free: {'; '.join(map(str, offers))}")
    return found * plan.per


def _problem(plan: Plan, reason: str, detail: str) -> Problem:
    return Problem(plan.region, plan.path, reason, detail, plan.query)


# -- the API ----------------------------------------------------------------------------------------
def client():
    """A boto3 Price List client with the usual credential chain (AWS_PROFILE, keys, SSO, instance role)."""
    # ignore_configured_endpoint_urls: AWS_ENDPOINT_URL points at the sandbox (moto) in the portal's own
    # environment, and moto has no Price List API; prices must come from AWS.
    config = Config(retries={"mode": "standard", "max_attempts": 8}, ignore_configured_endpoint_urls=True)
    return boto3.session.Session().client("pricing", region_name=PRICING_REGION, config=config)


# Answers to a bad query (an unknown service code or attribute) concern that query only.
QUERY_ERRORS = frozenset({"InvalidParameterException", "NotFoundException"})
ACCESS_ERRORS = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnrecognizedClientException",
     "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
     "ExpiredToken"}
)  # fmt: skip


class QueryError(Exception):
    pass


def get_products(pricing, query: Query, counter: Fetched) -> list[dict]:
    """Every product of the answer, following NextToken; each PriceList entry is a JSON string."""
    request, documents = query.request(), []
    while True:
        try:
            response = pricing.get_products(**request)
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise PricingAPIError(
                f"No AWS credentials ({exc}). The command uses boto3's usual chain: set AWS_PROFILE, or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance role applies.",
                retryable=False,
            ) from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            message = exc.response.get("Error", {}).get("Message", "")
            if code in QUERY_ERRORS:
                raise QueryError(f"{code}: {message}") from None
            if code in ACCESS_ERRORS:
                raise PricingAPIError(
                    f"AWS refused get_products ({code}: {message}). The credentials in use need an IAM "
                    'policy allowing "pricing:GetProducts" (resource "*").',
                    retryable=False,
                ) from None
            raise PricingAPIError(f"The Price List API failed: {code}: {message}", retryable=True) from None
        except BotoCoreError as exc:
            raise PricingAPIError(f"Cannot reach the Price List API: {exc}", retryable=True) from None
        counter.requests += 1
        documents += [json.loads(item) for item in response.get("PriceList", [])]
        token = response.get("NextToken")
        if not token:
            return documents
        request = {**request, "NextToken": token}


def fetch(regions: dict, pricing, progress: Callable[[str], None] | None = None) -> Fetched:
    """Ask for the price of every leaf of `regions`; identical queries are asked once."""
    result = Fetched()
    answers: dict[Query, list[dict] | QueryError] = {}
    for leaf in flatten(regions):
        region, path = leaf[0], leaf[1:]
        wanted = plan(region, path)
        if wanted is None:
            result.problems.append(Problem(region, path, "no query plan", "add one to costs/price_plans.py"))
            continue
        if wanted.query not in answers:
            if progress:
                progress(str(wanted.query))
            try:
                answers[wanted.query] = get_products(pricing, wanted.query, result)
            except QueryError as exc:
                answers[wanted.query] = exc
        answer = answers[wanted.query]
        found = _problem(wanted, "API error", str(answer)) if isinstance(answer, QueryError) else price(wanted, answer)
        if isinstance(found, Problem):
            result.problems.append(found)
        else:
            result.prices[leaf] = found
    return result
