"""Monthly estimates of every shipped pattern's plan, against figures worked out by hand from the price file.

eu-west-1 prices (costs/prices/aws.yaml), 730 hours a month, the dev usage the patterns declare.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import yaml

from costs import prices
from costs.estimate import estimate_plan, estimate_resources
from provisioning.tests.plans import captured_plan, resource_change

BOOK = prices.current()
HOURS = 730


def dev_usage(slug: str) -> dict:
    with open(f"patterns/{slug}/pattern.yaml") as handle:
        return yaml.safe_load(handle)["costs"].get("usage", {}).get("dev", {})


def estimate(slug: str, plan=None):
    return estimate_plan(plan or captured_plan(f"{slug}-dev"), BOOK, "eu-west-1", dev_usage(slug))


def d(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# -- every shipped pattern at its defaults ------------------------------------------------------
def test_development_environment():
    instance = 0.0114 * HOURS  # t3.micro
    volume = 20 * 0.088  # 20 GiB gp3
    bucket = 5 * 0.023 + 5000 / 1000 * 0.005 + 20000 / 10000 * 0.004  # storage, PUT, GET
    logs = 1 * 0.57 + 1 * 0.03  # the log group (1.1.0): 1 GB ingested and stored
    flow_logs = 1 * 0.023 + 9000 / 1000 * 0.005  # the flow-log bucket: 1 GB, a file every 5 minutes or so
    alarm = 0.10  # status checks
    assert (
        estimate("dev-environment").monthly
        == d(instance + volume + bucket + logs + flow_logs + alarm)
        == Decimal("11.00")
    )


def test_web_application():
    database = 0.02 * HOURS + 20 * 0.127 + 0.40  # db.t3.micro single-AZ, 20 GiB gp3, managed password
    balancer = 0.0252 * HOURS + 0.2 * 0.008 * HOURS  # ALB hours and 0.2 capacity units
    waf = 5 + 2 * 1 + 0.5 * 0.60  # web ACL, two rule groups (common, known bad inputs), half a million requests
    key = 1 + 20000 / 10000 * 0.03
    # two buckets (application and flow logs; load-balancer and WAF logs), each at the tier's usage
    bucket = 2 * (2 * 0.023 + 10000 / 1000 * 0.005 + 50000 / 10000 * 0.004)
    logs = 1 * 0.57 + 1 * 0.03
    database_logs = 2 * (0.25 * 0.57 + 0.25 * 0.03)  # the PostgreSQL and upgrade log groups
    alarms = 6 * 0.10  # standard-resolution metric alarms; the alarm topic's few messages are free
    result = estimate("web-app")
    total = database + balancer + waf + key + bucket + logs + database_logs + alarms
    assert result.monthly == d(total) == Decimal("47.20")
    assert result.unknown == []
    # web-app declares no usage for its alarm topic: its publishes are priced per unit, not estimated
    assert result.usage_not_estimated == ["module.pattern.aws_sns_topic.alarms: publishes ($0.5 per million requests)"]


def test_postgres_database():
    database = 0.02 * HOURS + 20 * 0.127 + 0.40
    alarms = 3 * 0.10 + 1 + 1000 / 10000 * 0.03  # three alarms, the alarm topic's KMS key
    logs = 2 * (0.25 * 0.57 + 0.25 * 0.03)  # the PostgreSQL and upgrade log groups
    flow_logs = 1 * 0.023 + 9000 / 1000 * 0.005
    assert estimate("postgres-database").monthly == d(database + alarms + logs + flow_logs) == Decimal("19.21")


def test_data_warehouse():
    cluster = 0.30 * HOURS + 0.40  # one dc2.large node and the managed admin password
    key = 1 + 50000 / 10000 * 0.03
    bucket = 50 * 0.023 + 20000 / 1000 * 0.005 + 100000 / 10000 * 0.004
    alarms = 3 * 0.10  # CPU, disk space, health
    audit_logs = 2 * (0.1 * 0.57 + 0.1 * 0.03)  # connection and user logs
    access_logs = 1 * 0.023 + 10000 / 1000 * 0.005  # the data bucket's access-log bucket
    flow_logs = 1 * 0.023 + 9000 / 1000 * 0.005
    total = cluster + key + bucket + alarms + audit_logs + access_logs + flow_logs
    assert estimate("data-warehouse").monthly == d(total) == Decimal("222.40")


def test_message_queue():
    alarms = 2 * 0.10  # oldest message, dead letters
    assert estimate("message-queue").monthly == d(0.5 * 0.50 + 2 * 1 * 0.40 + alarms) == Decimal("1.25")


def test_data_pipeline():
    key = 1 + 20000 / 10000 * 0.03
    buckets = 2 * (10 * 0.023 + 10000 / 1000 * 0.005 + 20000 / 10000 * 0.004)  # raw and curated
    logs = 0.1 * 0.57 + 0.1 * 0.03
    transitions = 20000 / 1000 * 0.025  # standard workflow state transitions
    alarms = 2 * 0.10  # failed and timed-out runs; the schedule, its target and the roles are free
    access_logs = 1 * 0.023 + 5000 / 1000 * 0.005  # the lake's access-log bucket
    result = estimate("data-pipeline")
    assert result.monthly == d(key + buckets + logs + transitions + alarms + access_logs) == Decimal("2.44")
    assert result.unknown == [] and result.usage_not_estimated == []
    line = next(x for x in result.lines if x.type == "aws_sfn_state_machine")
    assert [(c.name, c.unit) for c in line.components] == [("state transitions", "$0.025 per 1,000 transitions")]


def test_an_express_workflow_is_price_unknown_never_zero():
    plan = copy.deepcopy(captured_plan("data-pipeline-dev"))
    resource_change(plan, "module.pattern.aws_sfn_state_machine.pipeline")["change"]["after"]["type"] = "EXPRESS"
    result = estimate("data-pipeline", plan)
    assert result.unknown == ["module.pattern.aws_sfn_state_machine.pipeline: express workflow"]


def test_ml_workload():
    notebook = 200 * 0.055 + 20 * 0.154  # ml.t3.medium for the 200 hours dev expects, 20 GiB of ML storage
    key = 1 + 20000 / 10000 * 0.03
    bucket = 20 * 0.023 + 10000 / 1000 * 0.005 + 50000 / 10000 * 0.004  # the artifacts
    flow_logs = 1 * 0.023 + 9000 / 1000 * 0.005
    alarm = 0.10  # undelivered training-job events; the EventBridge rule, role and S3 gateway endpoint are free
    result = estimate("ml-workload")
    assert result.monthly == d(notebook + key + bucket + flow_logs + alarm) == Decimal("15.84")
    assert result.unknown == []


def test_a_notebook_without_expected_hours_is_priced_for_the_whole_month():
    values = {"instance_type": "ml.m5.xlarge", "volume_size": 100}
    result = estimate_resources([("n", "aws_sagemaker_notebook_instance", values)], BOOK, "eu-west-1")
    assert result.monthly == d(0.257 * HOURS + 100 * 0.154)


def test_a_gateway_endpoint_is_free_and_an_interface_endpoint_is_price_unknown():
    gateway = ("e.s3", "aws_vpc_endpoint", {"vpc_endpoint_type": "Gateway"})
    interface = ("e.api", "aws_vpc_endpoint", {"vpc_endpoint_type": "Interface"})
    result = estimate_resources([gateway, interface], BOOK, "eu-west-1")
    assert [line.free for line in result.lines] == [True, False]
    assert result.unknown == ["e.api: aws_vpc_endpoint"]


# -- sizes, kinds and what is not known ---------------------------------------------------------
def test_a_larger_multi_az_database_is_priced_at_its_class_and_doubled_storage():
    plan = copy.deepcopy(captured_plan("postgres-database-dev"))
    after = resource_change(plan, "module.pattern.aws_db_instance.this")["change"]["after"]
    after.update(instance_class="db.r6g.large", multi_az=True, allocated_storage=1000)
    alarms = 3 * 0.10 + 1 + 1000 / 10000 * 0.03
    logs = 2 * (0.25 * 0.57 + 0.25 * 0.03) + 1 * 0.023 + 9000 / 1000 * 0.005  # database logs, flow logs
    assert estimate("postgres-database", plan).monthly == d(0.504 * HOURS + 1000 * 0.254 + 0.40 + alarms + logs)


def test_redshift_ra3_nodes_are_counted_and_managed_storage_is_usage_based():
    plan = copy.deepcopy(captured_plan("data-warehouse-dev"))
    resource_change(plan, "module.pattern.aws_redshift_cluster.this")["change"]["after"].update(
        node_type="ra3.4xlarge", number_of_nodes=2
    )
    line = next(x for x in estimate("data-warehouse", plan).lines if x.type == "aws_redshift_cluster")
    assert line.monthly == d(3.606 * HOURS * 2 + 100 * 0.024 + 0.40)
    assert [c.usage_based for c in line.components] == [False, True, False]


def test_a_size_missing_from_the_price_file_is_price_unknown_never_zero():
    plan = copy.deepcopy(captured_plan("dev-environment-dev"))
    resource_change(plan, "module.pattern.aws_instance.this")["change"]["after"]["instance_type"] = "x9.mega"
    result = estimate("dev-environment", plan)
    assert result.unknown == ["module.pattern.aws_instance.this: instance (x9.mega)"]
    logs = 1 * 0.57 + 1 * 0.03 + 1 * 0.023 + 9000 / 1000 * 0.005 + 0.10  # log group, flow logs, alarm
    assert result.monthly == d(20 * 0.088 + 5 * 0.023 + 5000 / 1000 * 0.005 + 20000 / 10000 * 0.004 + logs)


def test_a_resource_type_nobody_priced_is_price_unknown():
    result = estimate_resources([("aws_neptune_cluster.graph", "aws_neptune_cluster", {})], BOOK, "eu-west-1")
    assert result.unknown == ["aws_neptune_cluster.graph: aws_neptune_cluster"]


def test_usage_priced_resources_show_their_unit_price_when_no_usage_is_declared():
    result = estimate_resources([("aws_s3_bucket.b", "aws_s3_bucket", {})], BOOK, "eu-west-1")
    assert result.monthly == 0 and result.unknown == []
    assert result.usage_not_estimated[0] == "aws_s3_bucket.b: storage (standard) ($0.023 per GB-month)"


def test_free_resources_cost_nothing_and_are_not_listed():
    result = estimate("web-app")
    assert {line.type for line in result.lines if line.free} >= {"aws_vpc", "aws_subnet", "aws_security_group"}
    assert all(not line["free"] for line in result.as_dict()["lines"])


def test_a_region_prices_differently():
    frankfurt = estimate_plan(captured_plan("dev-environment-dev"), BOOK, "eu-central-1", {})
    assert frankfurt.monthly != estimate_plan(captured_plan("dev-environment-dev"), BOOK, "eu-west-1", {}).monthly


def test_resources_being_destroyed_cost_nothing_afterwards():
    plan = copy.deepcopy(captured_plan("dev-environment-dev"))
    for rc in plan["resource_changes"]:
        rc["change"]["actions"] = ["delete"]
    assert estimate("dev-environment", plan).monthly == 0


# -- usage declared for one resource block ------------------------------------------------------
def test_usage_declared_for_a_block_prices_that_block_and_not_its_siblings():
    usage = {"aws_s3_bucket": {"storage_gb": 100}, "aws_s3_bucket.flow_logs": {"storage_gb": 1}}
    resources = [
        ("module.pattern.aws_s3_bucket.data", "aws_s3_bucket", {}),
        ("module.pattern.aws_s3_bucket.flow_logs[0]", "aws_s3_bucket", {}),
    ]

    lines = estimate_resources(resources, BOOK, "eu-west-1", usage).lines

    assert [line.monthly for line in lines] == [Decimal("2.3"), Decimal("0.023")]


def test_the_quote_prices_a_named_block_at_its_own_usage():
    from costs.quote import quote

    cost_model = {
        "resources": [{"type": "aws_sns_topic"}, {"type": "aws_sns_topic", "name": "alarms"}],
        "usage": {"dev": {"aws_sns_topic": {"requests_million": 2}, "aws_sns_topic.alarms": {"requests_million": 0}}},
    }

    result = quote(cost_model, {}, tier="dev", region="eu-west-1", book=BOOK)

    assert [line.address for line in result.lines] == ["aws_sns_topic #1", "aws_sns_topic.alarms #2"]
    assert [line.monthly for line in result.lines] == [Decimal("1.0"), Decimal(0)]
