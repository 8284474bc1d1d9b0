"""The sandbox plans the shapes the real hashicorp/aws provider plans, so policies tested on sandbox
plans hold on real ones.

Two checks against the real plans in governance/policies/tests/real_plans (written by the real
provider; see SOURCES.yaml there):

- the same configuration planned by the sandbox and by the real provider has, attribute by
  attribute, the same shape: unknown, null, ``[]``, ``{}``, or a known value of the same kind, down
  to the members of security-group rules (``[]``/``false``/``""`` where the configuration leaves
  them out) and ``tags_all`` (unknown on untagged resources);
- every attribute a real provider-5 plan shows for a resource type the policies read is in the
  sandbox's schema, or is listed below as a known gap (and in sandbox/README.md).
"""

import json
from pathlib import Path

import pytest
import yaml

from sandbox.aws_provider.resources import all_resources

from .helpers import init_config
from .test_policies_on_real_and_sandbox_plans import REAL_PLAN, SAME_CONFIGURATION

REAL_PLANS = Path(__file__).resolve().parents[2] / "governance/policies/tests/real_plans"

# Where the two plans may differ, and why (sandbox/README.md, "Known gaps and differences").
KNOWN_DIFFERENCES = {
    ("aws_instance", "key_name"): "the real configuration names a key pair; the sandbox's leaves it out",
    ("aws_instance", "iam_instance_profile"): "the real configuration has an IAM role; IAM is not in the sandbox",
    (
        "aws_instance",
        "root_block_device",
    ): "left out of the configuration: [] in the sandbox, unknown (from AWS) in real",
    (
        "aws_instance",
        "metadata_options",
    ): "left out of the configuration: [] in the sandbox, unknown (from AWS) in real",
}

# Attributes real provider-5 plans show that the sandbox does not implement, for the resource
# types the policies read. Keep sandbox/README.md ("Known gaps") in step with this table.
NOT_IMPLEMENTED = {
    "aws_db_instance": {
        "allow_major_version_upgrade", "backup_target", "blue_green_update", "character_set_name",
        "custom_iam_instance_profile", "customer_owned_ip_enabled", "database_insights_mode",
        "dedicated_log_volume", "domain", "domain_auth_secret_arn", "domain_dns_ips", "domain_fqdn",
        "domain_iam_role_name", "domain_ou", "engine_lifecycle_support",
        "latest_restorable_time", "listener_endpoint", "nchar_character_set_name", "network_type",
        "password_wo", "password_wo_version", "replica_mode", "replicas", "replicate_source_db",
        "restore_to_point_in_time", "s3_import", "snapshot_identifier", "timezone", "upgrade_storage_config",
    },
    "aws_instance": {
        "capacity_reservation_specification", "cpu_core_count", "cpu_options", "cpu_threads_per_core",
        "ebs_block_device", "enable_primary_ipv6", "enclave_options", "ephemeral_block_device",
        "host_resource_group_arn", "instance_market_options", "launch_template", "maintenance_options",
        "network_interface", "private_dns_name_options",
    },
    "aws_kms_key": {"custom_key_store_id", "xks_key_id"},
    "aws_s3_bucket": {"bucket_region"},  # provider 6's
}  # fmt: skip
# On every type: `timeouts` (no sandbox resource waits long enough to need it) and `region`
# (per-resource region arrived with provider 6; some corpus plans constrained ">= 5" got 6).
NOT_IMPLEMENTED_ANYWHERE = {"timeouts", "region"}

POLICY_TYPES = {
    "aws_cloudwatch_log_group", "aws_db_instance", "aws_default_security_group", "aws_instance",
    "aws_kms_key", "aws_lb", "aws_lb_listener", "aws_redshift_cluster", "aws_s3_bucket", "aws_sagemaker_notebook_instance",
    "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
    "aws_security_group", "aws_sns_topic", "aws_sqs_queue", "aws_wafv2_web_acl_association",
}  # fmt: skip


def shape(value, unknown, *, top: bool = True):
    """What a plan says about a value, without the value: unknown, null, empty, or its kind."""
    if unknown is True:
        return "unknown"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        unknowns = unknown if isinstance(unknown, list) else [None] * len(value)
        elements = [shape(v, u, top=False) for v, u in zip(value, unknowns, strict=False)]
        return sorted(elements, key=json.dumps) if elements else "[]"
    if top:  # a map attribute (tags, tags_all, ...)
        return "map" if value else "{}"
    unknown = unknown if isinstance(unknown, dict) else {}
    return {k: shape(v, unknown.get(k), top=False) for k, v in value.items()}


def attribute_shapes(resource_change: dict) -> dict:
    after = resource_change["change"]["after"] or {}
    unknown = resource_change["change"]["after_unknown"] or {}
    return {name: shape(after.get(name), unknown.get(name)) for name in set(after) | set(unknown)}


@pytest.mark.integration
def test_the_sandbox_plans_the_real_providers_shapes_for_the_same_configuration(tmp_path, terraform_env, moto_endpoint):
    # given the real provider's plan and the sandbox's plan of the same configuration
    real = {rc["address"]: rc for rc in json.loads(REAL_PLAN.read_text())["resource_changes"]}
    tf = init_config(tmp_path, terraform_env, SAME_CONFIGURATION)
    tf.write_vars(endpoint=moto_endpoint)
    sandbox = {rc["address"]: rc for rc in tf.plan_json()["resource_changes"] if rc["mode"] == "managed"}

    # when each shared resource's attributes are compared by shape
    differences = {}
    for address, rc in sandbox.items():
        real_shapes, sandbox_shapes = attribute_shapes(real[address]), attribute_shapes(rc)
        for name in real_shapes.keys() & sandbox_shapes.keys():
            if (rc["type"], name) not in KNOWN_DIFFERENCES and real_shapes[name] != sandbox_shapes[name]:
                differences[f"{address}.{name}"] = (real_shapes[name], sandbox_shapes[name])

    # then they agree, rule members and tags_all included
    assert differences == {}
    group = attribute_shapes(sandbox["aws_security_group.main"])
    assert group["ingress"] == [
        {
            "cidr_blocks": ["string"],
            "description": "string",
            "from_port": "number",
            "ipv6_cidr_blocks": "[]",
            "prefix_list_ids": "[]",
            "protocol": "string",
            "security_groups": "[]",
            "self": "bool",
            "to_port": "number",
        }
    ]
    assert group["tags_all"] == "unknown"  # no tags, no default tags: unknown, as the real provider plans it
    assert attribute_shapes(real["aws_instance.main"])["tags_all"] == "unknown"
    assert attribute_shapes(sandbox["aws_instance.main"])["tags_all"] == "unknown"


def provider_5_plans() -> list[dict]:
    sources = yaml.safe_load((REAL_PLANS / "SOURCES.yaml").read_text())
    files = [s["file"] for s in sources if str(s["provider_version"]).startswith("5")]
    assert len(files) >= 3
    return [json.loads((REAL_PLANS / f).read_text()) for f in files]


def test_the_sandbox_has_every_attribute_real_provider_5_plans_show_on_the_types_policies_read():
    # given the attribute names of every resource a real provider-5 plan creates or changes
    real: dict[str, set[str]] = {}
    for plan in provider_5_plans():
        for rc in plan.get("resource_changes", []):
            if rc["mode"] == "managed" and rc["change"]["after"] is not None:
                names = set(rc["change"]["after"]) | set(rc["change"]["after_unknown"] or {})
                real.setdefault(rc["type"], set()).update(names)
    schemas = {r.type_name: r.schema for r in all_resources()}

    # when they are compared with the sandbox's schemas of the types the policies read
    missing = {}
    for type_name in POLICY_TYPES & real.keys() & schemas.keys():
        schema = schemas[type_name]
        planned = {a.name for a in schema.attributes} | {b.type_name for b in schema.block_types}
        gap = real[type_name] - planned - NOT_IMPLEMENTED_ANYWHERE
        if gap != NOT_IMPLEMENTED.get(type_name, set()):
            missing[type_name] = sorted(gap)

    # then the only ones missing are the known gaps (a shrinking schema fails here)
    assert missing == {}
    assert {"aws_security_group", "aws_s3_bucket", "aws_db_instance", "aws_instance"} <= real.keys()
