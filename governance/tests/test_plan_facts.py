"""What the policies are told about a plan: modules at any depth, tags, regions, ingress, address ranges."""

from __future__ import annotations

import json

import pytest

from governance import plan_facts, text_codec
from governance.policy import evaluate
from governance.policy_tests import _apply_patch
from provisioning.tests.plans import plan_fixture

REAL = plan_facts.__file__.replace("plan_facts.py", "policies/tests/real_plans/")


def real_plan(name: str) -> dict:
    with open(REAL + name) as handle:
        return json.load(handle)


# -- address ranges ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cidr", "public"),
    [
        ("0.0.0.0/0", 2**32 - 2**24 * 3 - 2**22 - 2**28 * 2 - 2**20 - 2**16 * 2 - 2**17 - 2**8),
        ("10.0.0.0/8", 0),
        ("172.16.0.0/12", 0),
        ("81.2.69.0/24", 256),
        ("10.0.0.0/7", 2**24),  # half of it, 11.0.0.0/8, is public
        ("::/0", 2**128 - 2**121 - 2**118 - 2**120 - 2),
        ("fd00::/8", 0),
    ],
)
def test_a_range_counts_its_public_addresses(cidr, public):
    fact = plan_facts.cidr_fact(cidr)
    assert fact["valid"] and fact["public"] == float(public)


@pytest.mark.parametrize(
    "cidr", ["999.999.999.999/32", "10.0.0.0/33", "١٠.0.0.0/8", "10.0.0.0", "", "10.0.0.0/8 ", None]
)
def test_what_is_not_an_address_range_is_said_so(cidr):
    assert plan_facts.cidr_fact(cidr)["valid"] is False


# -- modules, references, count = 0 ----------------------------------------------------------
def test_blocks_three_modules_deep_are_found_and_keys_stripped():
    facts = plan_facts.derive(real_plan("awssample_tf1112_aws420_tgw_vpn_nested_for_each_count.json"))
    nested = [a for a in facts["config_address"] if a.count("module.") == 3]
    assert nested, "a resource three modules deep"
    assert all("[" not in facts["config_address"][a] for a in nested)
    assert '["spoke-vpc-a"]' in nested[0]


def test_a_block_with_count_zero_proves_nothing():
    # the checkov plan declares an encryption block for its module bucket, disabled by count
    plan = real_plan("checkov_tf124_s3_pab_nested_modules.json")
    facts = plan_facts.derive(plan)
    encryption = "module.s3_bucket.aws_s3_bucket_server_side_encryption_configuration.this"
    assert encryption not in facts["instances"]
    assert "aws_s3_bucket_server_side_encryption_configuration" not in facts["referrers"].get(
        "module.s3_bucket.aws_s3_bucket.this", {}
    )
    found = {(r["policy"], r["resource"]) for r in evaluate("plan", {"request": {"tier": "dev"}, "plan": plan})}
    assert ("plan-encryption-at-rest", "module.s3_bucket.aws_s3_bucket.this[0]") in found


# -- flow logs ---------------------------------------------------------------------------------
def _network_plan(flow_log_vpc_id: dict, network_outputs: dict | None = None) -> dict:
    """A root VPC module `network` and a `logging` module whose flow log gets the VPC's id as `var.vpc`."""
    return {
        "resource_changes": [
            {"address": "module.network.aws_vpc.main", "module_address": "module.network", "mode": "managed",
             "type": "aws_vpc", "name": "main", "change": {"actions": ["create"], "after": {}}},
            {"address": "module.logging.aws_flow_log.all", "module_address": "module.logging", "mode": "managed",
             "type": "aws_flow_log", "name": "all", "change": {"actions": ["create"], "after": {}}},
        ],
        "configuration": {"root_module": {"module_calls": {
            "network": {"module": {"resources": [{"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc",
                                                  "name": "main", "expressions": {}}],
                                   "outputs": network_outputs or {}}},
            "logging": {"expressions": {"vpc": flow_log_vpc_id},
                        "module": {"resources": [{"address": "aws_flow_log.all", "mode": "managed",
                                                  "type": "aws_flow_log", "name": "all",
                                                  "expressions": {"vpc_id": {"references": ["var.vpc"]}}}]}},
        }}},
    }  # fmt: skip


def test_a_flow_log_is_traced_to_its_vpc_through_module_inputs_and_outputs():
    outputs = {"vpc_id": {"expression": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}}
    plan = _network_plan({"references": ["module.network.vpc_id", "module.network"]}, outputs)

    facts = plan_facts.derive(plan)

    assert facts["flow_logs"] == {
        "module.logging.aws_flow_log.all": {
            "module": "module.logging",
            "vpcs": ["module.network.aws_vpc.main"],
            "untraced": False,
        }  # fmt: skip
    }
    assert evaluate("plan", {"request": {"tier": "dev"}, "plan": plan}) == []


def test_a_vpc_whose_flow_log_path_is_hidden_in_a_local_elsewhere_is_still_refused():
    plan = _network_plan({"references": ["local.vpc_id"]})

    facts = plan_facts.derive(plan)

    assert facts["flow_logs"]["module.logging.aws_flow_log.all"]["untraced"] is True
    # the flow log is not in the VPC's module or below it: nothing says it logs this VPC
    found = {(r["policy"], r["resource"]) for r in evaluate("plan", {"request": {"tier": "dev"}, "plan": plan})}
    assert ("plan-vpc-flow-logs", "module.network.aws_vpc.main") in found


def test_a_flow_log_through_a_local_in_the_vpcs_child_module_counts():
    facts = plan_facts.derive(real_plan("awssample_tf1112_aws420_tgw_vpn_nested_for_each_count.json"))
    assert facts["flow_logs"] == {
        "module.vpcs.module.flow_logs.aws_flow_log.main": {
            "module": "module.vpcs.module.flow_logs",
            "vpcs": [],
            "untraced": True,
        }  # fmt: skip
    }


# -- tags -------------------------------------------------------------------------------------
def test_a_module_providers_default_tags_apply_under_the_resources_own():
    facts = plan_facts.derive(real_plan("infracost_tf157_default_tags_nested_modules_sqs.json"))
    own = [t for a, t in facts["tags"].items() if "mysubsub_own" in a]
    assert own
    for tags in own:
        assert tags["values"]["DefaultNotOverride"] == "defaultnotoverride-subsub-own-provider"  # the module's provider
        assert tags["values"]["DefaultOverride"] == "sqs-def"  # the resource's own tag wins


def test_the_portals_own_default_tags_reach_a_resource_whose_tags_are_unknown():
    policy_input = plan_fixture("dev-environment-dev")
    _apply_patch(
        policy_input,
        {"add_change": {"address": "aws_s3_bucket.extra", "after": {}, "after_unknown": {"tags_all": True}}},
    )
    tags = plan_facts.derive(policy_input["plan"])["tags"]["aws_s3_bucket.extra"]
    assert {"team", "project", "cost-centre", "environment"} <= set(tags["values"]) and tags["complete"]


# -- regions ----------------------------------------------------------------------------------
def test_regions_come_from_every_provider_and_from_zones():
    facts = plan_facts.derive(real_plan("tfcompliance_tf0155_apigw_waf_nested_count.json"))
    places = {(r["resource"], r["region"]) for r in facts["regions"]}
    assert ("provider.aws", "eu-west-1") in places
    assert ("provider.aws.useast1", "us-east-1") in places


# -- what rego-cpp cannot print ---------------------------------------------------------------
def test_addresses_with_quotes_survive_evaluation():
    # for_each keys are quoted strings; rego-cpp wrote them unescaped and every change was refused
    plan = real_plan("awssample_tf1112_aws420_tgw_vpn_nested_for_each_count.json")
    found = evaluate("plan", {"request": {"tier": "dev"}, "plan": plan})
    assert any('["' in r["resource"] for r in found)


def test_the_text_codec_is_exact_for_every_character_but_private_use_ones():
    text = 'a"b\\c\nd\te\x01f\x7fü✓😀'
    assert text_codec.decode(text_codec.encode({text: [text]})) == {text: [text]}
    assert text_codec.decode(text_codec.encode("\ue022")) == "\ufffd"
