"""Monthly cost of what a plan leaves running, resource by resource (in the spirit of Infracost).

Plain Python: no Django, no app. Input is what `terraform show -json` writes (or, for the live
quote, the same resource values declared by a pattern), a price book and, per resource type,
the usage a pattern expects in a tier. Three kinds of line:

- priced: on-demand price x hours or GiB (instances, databases, load balancers, keys...);
- usage-based: priced per use (storage, requests, log ingestion, capacity units); estimated
  from the pattern's expected usage when it declares some, else shown with its unit price only;
- price unknown: a resource type or size the price book lacks; never counted as 0.
Resource types that AWS does not charge for (networks, security groups, policies...) are free.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from costs.prices import PriceBook

CENT = Decimal("0.01")
# What AWS does not bill for by itself (traffic and requests through them are billed elsewhere).
FREE = frozenset(
    {
        "aws_vpc", "aws_subnet", "aws_security_group", "aws_security_group_rule", "aws_default_security_group",
        "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_route_table",
        "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_db_subnet_group",
        "aws_redshift_subnet_group", "aws_db_parameter_group", "aws_redshift_parameter_group", "aws_redshift_logging",
        "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning", "aws_s3_bucket_policy", "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_logging", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_acl",
        "aws_lb_target_group", "aws_lb_listener", "aws_lb_listener_rule", "aws_alb_target_group",
        "aws_alb_listener", "aws_wafv2_web_acl_association", "aws_wafv2_web_acl_logging_configuration",
        "aws_kms_alias", "aws_iam_role", "aws_iam_policy", "aws_iam_role_policy",
        "aws_iam_role_policy_attachment", "aws_iam_instance_profile", "aws_sqs_queue_policy",
        "aws_sns_topic_subscription", "aws_sns_topic_policy", "aws_acm_certificate",
        "aws_acm_certificate_validation", "aws_flow_log", "aws_cloudwatch_log_resource_policy",
        "aws_route53_record",  # Route 53 bills the zone and the queries, not the records in it
        # EventBridge: scheduled events and AWS service events on the default bus are not billed
        "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target",
        "random_id", "random_password", "random_string", "null_resource", "terraform_data",
    }
)  # fmt: skip


@dataclass
class Component:
    name: str
    monthly: Decimal | None
    unit: str
    usage_based: bool = False
    unknown: bool = False

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "monthly": None if self.monthly is None else str(self.monthly),
            "unit": self.unit,
            "usage_based": self.usage_based,
            "unknown": self.unknown,
        }


@dataclass
class Line:
    address: str
    type: str
    components: list[Component] = field(default_factory=list)
    free: bool = False

    @property
    def monthly(self) -> Decimal:
        return sum((c.monthly for c in self.components if c.monthly is not None), Decimal(0))

    @property
    def price_unknown(self) -> bool:
        return any(c.unknown for c in self.components)

    def as_dict(self) -> dict:
        return {
            "address": self.address,
            "type": self.type,
            "monthly": str(self.monthly.quantize(CENT, ROUND_HALF_UP)),
            "free": self.free,
            "price_unknown": self.price_unknown,
            "components": [c.as_dict() for c in self.components],
        }


@dataclass
class Estimate:
    region: str
    currency: str
    lines: list[Line]

    @property
    def monthly(self) -> Decimal:
        return sum((line.monthly for line in self.lines), Decimal(0)).quantize(CENT, ROUND_HALF_UP)

    @property
    def unknown(self) -> list[str]:
        """Resources (and what of them) the price book cannot price."""
        return [f"{line.address}: {c.name}" for line in self.lines for c in line.components if c.unknown]

    @property
    def usage_not_estimated(self) -> list[str]:
        return [
            f"{line.address}: {c.name} ({c.unit})"
            for line in self.lines
            for c in line.components
            if c.usage_based and c.monthly is None
        ]

    @property
    def usage_based(self) -> Decimal:
        return sum(
            (c.monthly for line in self.lines for c in line.components if c.usage_based and c.monthly is not None),
            Decimal(0),
        ).quantize(CENT, ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "region": self.region,
            "currency": self.currency,
            "monthly": str(self.monthly),
            "usage_based": str(self.usage_based),
            "unknown": self.unknown,
            "usage_not_estimated": self.usage_not_estimated,
            "lines": [line.as_dict() for line in self.lines if not line.free],
        }


@dataclass
class Context:
    book: PriceBook
    region: str
    expected: dict  # this resource type's expected usage in the tier: {quantity name: amount}

    @property
    def hours(self) -> Decimal:
        return self.book.hours_per_month

    def hourly(self, name: str, key: str, *path: str, count: Decimal = Decimal(1)) -> Component:
        rate = self.book.price(self.region, key, *path)
        if rate is None:
            return unknown(name, key, path, self.region)
        return Component(name, rate * self.hours * count, f"${rate} per hour" + (f" x {count}" if count != 1 else ""))

    def monthly(self, name: str, key: str, *path: str, quantity: Decimal = Decimal(1), unit: str = "") -> Component:
        rate = self.book.price(self.region, key, *path)
        if rate is None:
            return unknown(name, key, path, self.region)
        per = f" per {unit}" if unit else " per month"
        return Component(name, rate * quantity, f"${rate}{per}" + (f" x {quantity}" if quantity != 1 else ""))

    def per_use(self, name: str, key: str, quantity_name: str, unit: str, scale: Decimal = Decimal(1)) -> Component:
        """A usage-priced component: estimated when the pattern expects some usage, else unit price only."""
        rate = self.book.price(self.region, key)
        if rate is None:
            return unknown(name, key, (), self.region)
        amount = self.expected.get(quantity_name)
        monthly = None if amount is None else rate * Decimal(str(amount)) / scale
        return Component(name, monthly, f"${rate} per {unit}", usage_based=True)


def unknown(name: str, key: str, path: tuple, region: str) -> Component:
    what = ".".join((key, *path))
    return Component(name, None, f"no price for {what} in {region}", unknown=True)


def _number(value, default: int = 0) -> Decimal:
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else Decimal(default)


def _az(values: dict) -> str:
    return "multi_az" if values.get("multi_az") is True else "single_az"


# -- one pricer per resource type ----------------------------------------------------------------
def instance(values: dict, ctx: Context) -> list[Component]:
    kind = values.get("instance_type")
    parts = [ctx.hourly(f"instance ({kind})", "ec2_instance_hour", str(kind))]
    for device in values.get("root_block_device") or [{}]:
        size = _number(device.get("volume_size"), 8)  # an AMI's root volume is 8 GiB unless set
        volume = device.get("volume_type") or "gp3"
        parts.append(
            ctx.monthly(f"root volume ({volume}, {size} GiB)", "ebs_gb_month", volume, quantity=size, unit="GiB-month")
        )
    return parts


def notebook_instance(values: dict, ctx: Context) -> list[Component]:
    """A SageMaker notebook bills its hours in service (a stopped one costs only its volume): the
    pattern's expected hours when it declares them, else the whole month."""
    kind, size = values.get("instance_type"), _number(values.get("volume_size"), 5)  # AWS's default volume: 5 GiB
    name = f"notebook ({kind})"
    hours = ctx.expected.get("hours")
    if hours is None:
        compute = ctx.hourly(name, "sagemaker_notebook_hour", str(kind))
    else:
        rate = ctx.book.price(ctx.region, "sagemaker_notebook_hour", str(kind))
        amount = Decimal(str(hours))
        compute = (
            unknown(name, "sagemaker_notebook_hour", (str(kind),), ctx.region)
            if rate is None
            else Component(name, rate * amount, f"${rate} per hour x {amount} hours", usage_based=True)
        )
    storage = ctx.monthly(
        f"ML storage ({size} GiB)", "sagemaker_notebook_storage_gb_month", quantity=size, unit="GiB-month"
    )
    return [compute, storage]


def ebs_volume(values: dict, ctx: Context) -> list[Component]:
    size, volume = _number(values.get("size"), 0), values.get("type") or "gp3"
    return [ctx.monthly(f"volume ({volume}, {size} GiB)", "ebs_gb_month", volume, quantity=size, unit="GiB-month")]


def db_instance(values: dict, ctx: Context) -> list[Component]:
    engine, kind, az = values.get("engine") or "postgres", values.get("instance_class"), _az(values)
    storage = values.get("storage_type") or "gp2"
    size = _number(values.get("allocated_storage"), 20)
    parts = [
        ctx.hourly(f"database ({kind}, {az.replace('_', '-')})", "rds_instance_hour", engine, az, str(kind)),
        ctx.monthly(f"storage ({storage}, {size} GiB)", "rds_storage_gb_month", az, storage, quantity=size, unit="GiB-month"),
    ]  # fmt: skip
    if values.get("manage_master_user_password") is True:
        parts.append(ctx.monthly("managed master password (Secrets Manager)", "secrets_manager_secret_month"))
    return parts


def redshift_cluster(values: dict, ctx: Context) -> list[Component]:
    kind, nodes = values.get("node_type"), _number(values.get("number_of_nodes"), 1)
    parts = [ctx.hourly(f"nodes ({kind})", "redshift_node_hour", str(kind), count=nodes)]
    if str(kind).startswith("ra3"):
        parts.append(ctx.per_use("managed storage", "redshift_managed_storage_gb_month", "storage_gb", "GiB-month"))
    if values.get("manage_master_password") is True:
        parts.append(ctx.monthly("managed admin password (Secrets Manager)", "secrets_manager_secret_month"))
    return parts


def load_balancer(values: dict, ctx: Context) -> list[Component]:
    kind = values.get("load_balancer_type") or "application"
    return [ctx.hourly(f"{kind} load balancer", "load_balancer_hour", kind), _capacity_units(kind, ctx)]


def _capacity_units(kind: str, ctx: Context) -> Component:
    rate = ctx.book.price(ctx.region, "load_balancer_capacity_unit_hour", kind)
    if rate is None:
        return unknown("capacity units", "load_balancer_capacity_unit_hour", (kind,), ctx.region)
    units = ctx.expected.get("lcu")  # average capacity units in use
    monthly = None if units is None else rate * Decimal(str(units)) * ctx.hours
    return Component("capacity units", monthly, f"${rate} per LCU-hour", usage_based=True)


def nat_gateway(values: dict, ctx: Context) -> list[Component]:
    return [
        ctx.hourly("NAT gateway", "nat_gateway_hour"),
        ctx.per_use("data processed", "nat_gateway_data_gb", "data_gb", "GB"),
    ]


def kms_key(values: dict, ctx: Context) -> list[Component]:
    return [
        ctx.monthly("customer-managed key", "kms_key_month"),
        ctx.per_use("requests", "kms_requests_per_10k", "requests", "10,000 requests", Decimal(10_000)),
    ]


def waf_web_acl(values: dict, ctx: Context) -> list[Component]:
    rules = _number(len(values.get("rule") or []))
    return [
        ctx.monthly("web ACL", "waf_web_acl_month"),
        ctx.monthly(f"rules ({rules})", "waf_rule_month", quantity=rules),
        ctx.per_use("requests", "waf_requests_per_million", "requests_million", "million requests"),
    ]


def log_group(values: dict, ctx: Context) -> list[Component]:
    return [
        ctx.per_use("log ingestion", "cloudwatch_logs_ingested_gb", "ingested_gb", "GB ingested"),
        ctx.per_use("log storage", "cloudwatch_logs_stored_gb_month", "stored_gb", "GB-month stored"),
    ]


def s3_bucket(values: dict, ctx: Context) -> list[Component]:
    return [
        ctx.per_use("storage (standard)", "s3_standard_gb_month", "storage_gb", "GB-month"),
        ctx.per_use("PUT requests", "s3_put_requests_per_1k", "put_requests", "1,000 requests", Decimal(1_000)),
        ctx.per_use("GET requests", "s3_get_requests_per_10k", "get_requests", "10,000 requests", Decimal(10_000)),
    ]


def sqs_queue(values: dict, ctx: Context) -> list[Component]:
    return [ctx.per_use("requests", "sqs_requests_per_million", "requests_million", "million requests")]


def sns_topic(values: dict, ctx: Context) -> list[Component]:
    return [ctx.per_use("publishes", "sns_requests_per_million", "requests_million", "million requests")]


def public_ip(values: dict, ctx: Context) -> list[Component]:
    return [ctx.hourly("public IPv4 address", "public_ipv4_address_hour")]


def metric_alarm(values: dict, ctx: Context) -> list[Component]:
    return [ctx.monthly("metric alarm", "cloudwatch_alarm_month")]


def state_machine(values: dict, ctx: Context) -> list[Component]:
    if values.get("type") == "EXPRESS":  # billed per request and GB-second, not priced here
        return [unknown("express workflow", "step_functions_express_requests", (), ctx.region)]
    return [
        ctx.per_use(
            "state transitions", "step_functions_transitions_per_1k", "transitions", "1,000 transitions", Decimal(1_000)
        )
    ]


def secret(values: dict, ctx: Context) -> list[Component]:
    return [ctx.monthly("secret", "secrets_manager_secret_month")]


PRICERS: dict[str, Callable[[dict, Context], list[Component]]] = {
    "aws_instance": instance,
    "aws_ebs_volume": ebs_volume,
    "aws_sagemaker_notebook_instance": notebook_instance,
    "aws_db_instance": db_instance,
    "aws_redshift_cluster": redshift_cluster,
    "aws_lb": load_balancer,
    "aws_alb": load_balancer,
    "aws_nat_gateway": nat_gateway,
    "aws_eip": public_ip,
    "aws_kms_key": kms_key,
    "aws_wafv2_web_acl": waf_web_acl,
    "aws_cloudwatch_log_group": log_group,
    "aws_cloudwatch_metric_alarm": metric_alarm,
    "aws_s3_bucket": s3_bucket,
    "aws_sqs_queue": sqs_queue,
    "aws_sns_topic": sns_topic,
    "aws_secretsmanager_secret": secret,
    "aws_sfn_state_machine": state_machine,
}
# Types free in one form only: a gateway VPC endpoint (S3, DynamoDB) is free, an interface one is billed
# per hour and GB, which no pricer here knows: it stays "price unknown".
FREE_WHEN: dict[str, Callable[[dict], bool]] = {
    "aws_vpc_endpoint": lambda values: (values.get("vpc_endpoint_type") or "Gateway") == "Gateway",
}
PRICED_TYPES = frozenset(PRICERS) | FREE | frozenset(FREE_WHEN)  # a pattern's plans price the other forms as unknown
# The attributes the pricers read: what the portal keeps of a resource's state to bill it again.
PRICED_ATTRIBUTES = frozenset(
    {
        "instance_type", "root_block_device", "size", "type", "engine", "instance_class", "allocated_storage",
        "storage_type", "multi_az", "manage_master_user_password", "node_type", "number_of_nodes",
        "manage_master_password", "load_balancer_type", "rule", "volume_size", "vpc_endpoint_type",
    }
)  # fmt: skip


def pricing_values(values: dict) -> dict:
    """Only what prices a resource (WAF rules are kept as a count of empty rules: their bodies are not needed)."""
    kept = {key: values[key] for key in PRICED_ATTRIBUTES if key in values}
    if isinstance(kept.get("rule"), list):
        kept["rule"] = [{} for _ in kept["rule"]]
    if isinstance(kept.get("root_block_device"), list):
        kept["root_block_device"] = [
            {k: d.get(k) for k in ("volume_size", "volume_type")}
            for d in kept["root_block_device"]
            if isinstance(d, dict)
        ]
    return kept


def expected_usage(address: str, kind: str, usage: dict) -> dict:
    """The usage declared for this resource block (`aws_s3_bucket.flow_logs`), else for its type.

    A pattern with two buckets (data and flow logs) or two topics (events and alarms) expects very
    different usage of each: the block's own entry keeps one from being priced at the other's."""
    match = re.search(rf"(?:^|\.){re.escape(kind)}\.([A-Za-z0-9_-]+)", address)
    block = f"{kind}.{match.group(1)}" if match else None
    if block in usage:
        return usage[block] or {}
    return usage.get(kind) or {}


def price_resource(address: str, kind: str, values: dict, book: PriceBook, region: str, usage: dict) -> Line:
    if kind in FREE or (kind in FREE_WHEN and FREE_WHEN[kind](values or {})):
        return Line(address, kind, free=True)
    pricer = PRICERS.get(kind)
    if pricer is None:
        return Line(address, kind, [Component(f"{kind}", None, "no price for this resource type", unknown=True)])
    return Line(address, kind, pricer(values or {}, Context(book, region, expected_usage(address, kind, usage))))


def estimate_resources(
    resources: list[tuple[str, str, dict]], book: PriceBook, region: str, usage: dict | None = None
) -> Estimate:
    """[(address, type, values)] -> Estimate. `usage`: {resource type or `type.block`: {quantity: amount}}
    for the tier."""
    usage = usage or {}
    lines = [price_resource(address, kind, values, book, region, usage) for address, kind, values in resources]
    return Estimate(region=region, currency=book.currency, lines=lines)


def planned_resources(plan: dict) -> list[tuple[str, str, dict]]:
    """What runs once the plan is applied: every managed resource not being destroyed."""
    found = []
    for rc in plan.get("resource_changes") or []:
        actions = (rc.get("change") or {}).get("actions") or []
        if rc.get("mode") != "managed" or actions == ["delete"]:
            continue
        found.append((rc["address"], rc.get("type", ""), (rc.get("change") or {}).get("after") or {}))
    return found


def estimate_plan(plan: dict, book: PriceBook, region: str, usage: dict | None = None) -> Estimate:
    return estimate_resources(planned_resources(plan), book, region, usage)
