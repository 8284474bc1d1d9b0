"""A plan violation is traced back to the request form field that caused it, through the plan JSON.

The plans are real sandbox plans of the shipped patterns. Terraform leaves attributes written
as blocks (`ingress { cidr_blocks = var.x }`) out of the configuration's expressions, so those
are recognised by the value the form put there.
"""

import copy

import pytest

from governance.field_mapping import field_for
from governance.policy import evaluate
from provisioning.tests.plans import captured_plan, plan_fixture, resource_change, with_database_open_to

WEB_APP = plan_fixture("web-app-dev")
WEB_APP_FIELDS = set(WEB_APP["pattern"]["parameters"])
DATABASE_SG = "module.pattern.aws_security_group.database"


def fields_of(name: str) -> set[str]:
    return set(plan_fixture(name)["pattern"]["parameters"])


def test_an_open_database_ingress_maps_to_the_database_ingress_field():
    # given the web-app plan with the database open to the internet, as the form asked
    plan = with_database_open_to(WEB_APP["plan"], ["0.0.0.0/0"])

    # when the violation on the security group's ingress is traced back
    field = field_for(plan, DATABASE_SG, "ingress.cidr_blocks", WEB_APP_FIELDS)

    # then it lands on the form field that put 0.0.0.0/0 there
    assert field == "database_ingress_cidrs"


def test_the_violation_the_policy_reports_maps_to_the_database_ingress_field():
    # given the policy's own violation for the open database, on the real plan
    plan = with_database_open_to(WEB_APP["plan"], ["0.0.0.0/0", "10.20.0.0/16"])
    results = evaluate("plan", {**WEB_APP, "plan": plan})
    violation = next(r for r in results if r["policy"] == "plan-no-open-ingress")

    # when its resource and attribute are traced back
    field = field_for(plan, violation["resource"], violation["attribute"], WEB_APP_FIELDS)

    # then the field is the one to fix
    assert (violation["resource"], field) == (DATABASE_SG, "database_ingress_cidrs")


@pytest.mark.parametrize(
    ("pattern", "address", "attribute", "field"),
    [
        ("web-app-dev", "module.pattern.aws_db_instance.this", "instance_class", "database_instance_class"),
        ("web-app-dev", "module.pattern.aws_cloudwatch_log_group.app", "retention_in_days", "log_retention_days"),
        ("web-app-dev", "module.pattern.aws_vpc.this", "cidr_block", "vpc_cidr"),
        ("postgres-database-dev", "module.pattern.aws_security_group.database", "ingress.cidr_blocks", "allowed_cidrs"),
        (
            "dev-environment-dev",
            "module.pattern.aws_security_group.instance",
            "ingress.cidr_blocks",
            "ssh_allowed_cidr",
        ),
        ("dev-environment-dev", "module.pattern.aws_instance.this", "instance_type", "instance_type"),
        ("data-warehouse-dev", "module.pattern.aws_redshift_cluster.this", "node_type", "node_type"),
    ],
)
def test_attributes_fed_by_a_form_field_map_to_it_in_every_pattern(pattern, address, attribute, field):
    # given a real plan of a shipped pattern; when an attribute fed by a form field is traced back
    # then it maps to that field
    assert field_for(captured_plan(pattern), address, attribute, fields_of(pattern)) == field


def test_an_attribute_fed_by_a_constant_maps_to_nothing():
    # given attributes the pattern sets itself (storage_encrypted = true, internal = false)
    plan = WEB_APP["plan"]

    # when they are traced back, then no form field is blamed
    assert field_for(plan, "module.pattern.aws_db_instance.this", "storage_encrypted", WEB_APP_FIELDS) is None
    assert field_for(plan, "module.pattern.aws_lb.this", "internal", WEB_APP_FIELDS) is None


def test_a_block_of_constants_maps_to_nothing():
    # given the load balancer's ingress, written as constants (0.0.0.0/0 on ports 80 and 443)
    plan = WEB_APP["plan"]

    # when it is traced back, then no form field is blamed
    assert field_for(plan, "module.pattern.aws_security_group.alb", "ingress.cidr_blocks", WEB_APP_FIELDS) is None


def test_an_attribute_fed_by_another_resource_maps_to_nothing():
    # given the database's subnet group, which comes from another resource, not from the form
    assert (
        field_for(WEB_APP["plan"], "module.pattern.aws_db_instance.this", "db_subnet_group_name", WEB_APP_FIELDS)
        is None
    )


def test_a_resource_address_with_an_index_still_maps():
    # given a resource created with count (module.pattern.aws_subnet.private[0])
    plan = WEB_APP["plan"]
    assert resource_change(plan, "module.pattern.aws_subnet.private[0]")

    # when its cidr_block (cidrsubnet(var.vpc_cidr, ...)) is traced back, then the index is ignored
    assert field_for(plan, "module.pattern.aws_subnet.private[0]", "cidr_block", WEB_APP_FIELDS) == "vpc_cidr"
    assert field_for(plan, "module.pattern.aws_subnet.public[1]", "cidr_block", WEB_APP_FIELDS) == "vpc_cidr"


def test_a_field_that_is_not_on_the_form_is_never_returned():
    # given the same plan, but a form without the database ingress field
    plan = with_database_open_to(WEB_APP["plan"], ["0.0.0.0/0"])
    fields = WEB_APP_FIELDS - {"database_ingress_cidrs"}

    # then nothing maps, rather than a variable the user cannot change
    assert field_for(plan, DATABASE_SG, "ingress.cidr_blocks", fields) is None
    assert field_for(WEB_APP["plan"], "module.pattern.aws_db_instance.this", "identifier", WEB_APP_FIELDS) is None


@pytest.mark.parametrize(
    ("address", "attribute"),
    [
        ("", "ingress.cidr_blocks"),
        (DATABASE_SG, ""),
        ("module.pattern.aws_security_group.nowhere", "ingress.cidr_blocks"),
        ("provider.aws", "region"),
    ],
)
def test_unknown_resources_and_attributes_map_to_nothing(address, attribute):
    assert field_for(WEB_APP["plan"], address, attribute, WEB_APP_FIELDS) is None


def test_a_plan_without_configuration_maps_to_nothing():
    plan = copy.deepcopy(WEB_APP["plan"])
    del plan["configuration"]
    assert field_for(plan, "module.pattern.aws_db_instance.this", "instance_class", WEB_APP_FIELDS) is None
