"""Planning and state shaping rules (pure functions; no Terraform, no moto)."""

from sandbox.aws_provider.blocks import ListNestedBlock, SetNestedBlock
from sandbox.aws_provider.provider import AwsProvider, ProviderConfig
from sandbox.aws_provider.schema import computed, optional, required, resource_schema, tags_attributes
from sandbox.aws_provider.state import normalize, plan_object, preserve_nulls, requires_replace
from sandbox.aws_provider.types import Bool, Number, Object, Set, String, Unknown

RULE = Object({"cidr_blocks": Set(String()), "description": String(), "from_port": Number()})
SCHEMA = resource_schema(
    required("name", String(), force_new=True),
    optional("size", Number()),
    optional("enabled", Bool(), default=True),
    optional("zone", String(), computed=True),
    computed("arn", String()),
    optional("rules", Set(RULE), computed=True),
    *tags_attributes(),
    ListNestedBlock(
        "disk",
        [optional("gb", Number(), computed=True), optional("encrypted", Bool(), computed=True, force_new=True)],
        max_items=1,
        computed=True,
    ),
    SetNestedBlock("rule", [optional("key_enabled", Bool()), required("algorithm", String())]),
)


def test_normalize_fills_every_schema_key_and_drops_others():
    state = normalize(SCHEMA, {"name": "x", "bogus": 1})

    assert state["name"] == "x"
    assert "bogus" not in state
    assert state["disk"] == [] and state["rule"] == [] and state["tags_all"] is None


def test_create_plan_fills_defaults_and_leaves_computed_unknown():
    config = normalize(SCHEMA, {"name": "x", "disk": [{"gb": 20}]})

    planned = plan_object(SCHEMA, config, None, config, creating=True)

    assert planned["enabled"] is True
    assert planned["zone"] is Unknown and planned["arn"] is Unknown and planned["id"] is Unknown
    assert planned["size"] is None
    assert planned["disk"] == [{"gb": 20, "encrypted": Unknown}]


def test_rule_members_left_out_are_planned_as_sdkv2_zero_values():
    # the real provider plans `ingress { from_port = 22 ... }` with [] / "" / false for the rest
    config = normalize(SCHEMA, {"name": "x", "rules": [{"from_port": 22}]})

    planned = plan_object(SCHEMA, config, None, config, creating=True)

    assert planned["rules"] == [{"from_port": 22, "cidr_blocks": [], "description": ""}]
    assert plan_object(SCHEMA, normalize(SCHEMA, {"name": "x"}), None, None, creating=True)["rules"] is Unknown


def test_a_set_holding_an_unknown_value_is_planned_wholly_unknown():
    # SDKv2 cannot hash an unknown set element: the real provider plans the whole set unknown
    config = normalize(SCHEMA, {"name": "x", "rules": [{"from_port": 22, "cidr_blocks": Unknown}]})

    assert plan_object(SCHEMA, config, None, config, creating=True)["rules"] is Unknown


def test_update_plan_keeps_prior_computed_values_and_reapplies_defaults():
    prior = normalize(SCHEMA, {"id": "1", "name": "x", "enabled": False, "zone": "a", "arn": "arn:1"})
    config = normalize(SCHEMA, {"name": "x"})
    proposed = {**config, "id": "1", "zone": "a", "arn": "arn:1", "enabled": False}

    planned = plan_object(SCHEMA, proposed, prior, config, creating=False)

    assert (planned["zone"], planned["arn"], planned["enabled"]) == ("a", "arn:1", True)


def test_force_new_changes_are_reported_with_their_path():
    prior = normalize(SCHEMA, {"name": "x", "disk": [{"gb": 20, "encrypted": False}]})
    planned = normalize(SCHEMA, {"name": "y", "disk": [{"gb": 30, "encrypted": True}]})

    assert requires_replace(SCHEMA, prior, planned) == [["name"], ["disk", (0,), "encrypted"]]
    assert requires_replace(SCHEMA, prior, {**prior, "size": 3}) == []


def test_preserve_nulls_keeps_config_nulls_where_aws_reports_zero_values():
    planned = normalize(
        SCHEMA,
        {
            "name": "x",
            "tags": None,
            "rules": [{"cidr_blocks": ["0.0.0.0/0"], "description": None, "from_port": 1}],
            "rule": [{"algorithm": "aws:kms", "key_enabled": None}],
        },
    )
    from_aws = normalize(
        SCHEMA,
        {
            "name": "x",
            "size": 0,
            "tags": {},
            "rules": [{"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 1}],
            "rule": [{"algorithm": "aws:kms", "key_enabled": False}],
            "disk": [{"gb": 8, "encrypted": False}],
        },
    )

    kept = preserve_nulls(SCHEMA, planned, from_aws)

    assert kept["size"] is None and kept["tags"] is None
    assert kept["rules"][0]["description"] == ""  # rule members are SDKv2 zero values, as planned
    assert kept["rule"][0]["key_enabled"] is None
    assert kept["disk"] == []  # computed block not configured stays absent


def test_endpoint_resolution_prefers_the_endpoints_block_then_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2")
    config = ProviderConfig.from_terraform(
        {"region": "eu-west-1", "endpoints": [{"ec2": "http://127.0.0.1:3", "logs": None}]}
    )

    assert config.endpoint_for("ec2")[0] == "http://127.0.0.1:3"
    assert config.endpoint_for("s3")[0] == "http://127.0.0.1:2"
    assert config.endpoint_for("sqs")[0] == "http://127.0.0.1:1"


def test_tags_all_is_unknown_when_default_tags_are():
    config = ProviderConfig.from_terraform({"region": "eu-west-1", "default_tags": [{"tags": Unknown}]})

    assert config.default_tags is Unknown


def provider_with_default_tags(tags: dict | None) -> AwsProvider:
    provider = AwsProvider()
    default_tags = [{"tags": tags}] if tags is not None else None
    provider.config = ProviderConfig.from_terraform({"region": "eu-west-1", "default_tags": default_tags})
    return provider


def test_tags_all_is_planned_as_the_real_provider_plans_it():
    bare, tagged = provider_with_default_tags(None), provider_with_default_tags({"team": "payments"})

    # nothing to tag with, or a tag value computed at apply time: unknown, as the real provider plans it
    assert bare.plan_tags_all(None, None) is Unknown
    assert bare.plan_tags_all({}, None) is Unknown
    assert tagged.plan_tags_all({"Name": Unknown}, None) is Unknown
    assert tagged.plan_tags_all({"Name": ""}, None) is Unknown
    # known tags: known, default tags overlaid with the resource's
    assert tagged.plan_tags_all(None, None) == {"team": "payments"}
    assert tagged.plan_tags_all({"team": "x", "Name": "a"}, None) == {"team": "x", "Name": "a"}
    # an untagged resource that exists keeps its (empty) tags_all; removing its last tag makes it unknown
    assert bare.plan_tags_all(None, {"tags": None, "tags_all": {}}) == {}
    assert bare.plan_tags_all(None, {"tags": {"Name": "a"}, "tags_all": {"Name": "a"}}) is Unknown
