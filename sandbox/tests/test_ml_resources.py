"""The machine-learning resources (SageMaker notebook instance, VPC endpoint) driven through the
real terraform binary against a real moto server: plan JSON shape, apply, in-place updates,
replacement, and destroy. The tests run in file order and share one apply (steps of one story).
"""

import json
import subprocess
from pathlib import Path

import pytest

from .helpers import actions, apply_stack, change, failing_plan, init_config, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

CONFIG_DIR = Path(__file__).parent / "ml"
DEFAULT_TAGS = {"idp:environment": "ml-test"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, CONFIG_DIR)


def write_vars(stack, **values) -> None:
    stack.vars.update(values)
    stack.tf.write_vars(endpoint=stack.endpoint, **stack.vars)


def test_plan_shows_what_policies_and_prices_read(stack):
    notebook = resource(stack.plan, "aws_sagemaker_notebook_instance.this")["values"]
    defaults = resource(stack.plan, "aws_sagemaker_notebook_instance.defaults")["values"]
    notebook_change = change(stack.plan, "aws_sagemaker_notebook_instance.this")
    endpoint = resource(stack.plan, "aws_vpc_endpoint.s3")["values"]
    endpoint_change = change(stack.plan, "aws_vpc_endpoint.s3")

    assert (notebook["instance_type"], notebook["volume_size"]) == ("ml.t3.medium", 10)
    assert (notebook["direct_internet_access"], notebook["root_access"]) == ("Disabled", "Disabled")
    assert notebook["instance_metadata_service_configuration"] == [{"minimum_instance_metadata_service_version": "2"}]
    assert notebook["tags_all"] == {**DEFAULT_TAGS, "Name": "sbx-ml", "Owner": "team-a"}
    assert all(
        notebook_change["after_unknown"][a] for a in ("kms_key_id", "arn", "url", "subnet_id", "network_interface_id")
    )
    # the real provider's defaults: internet access and root on, a 5 GiB volume, no key
    assert (defaults["direct_internet_access"], defaults["root_access"], defaults["volume_size"]) == (
        "Enabled",
        "Enabled",
        5,
    )
    assert defaults["kms_key_id"] is None
    assert defaults["platform_identifier"] == "notebook-al2-v2"
    assert notebook_change["after_unknown"]["platform_identifier"]  # left out: AWS's current platform
    assert (endpoint["vpc_endpoint_type"], endpoint["service_name"]) == ("Gateway", "com.amazonaws.eu-west-1.s3")
    assert all(endpoint_change["after_unknown"][a] for a in ("prefix_list_id", "cidr_blocks", "dns_entry", "state"))


def test_apply_builds_a_private_encrypted_notebook(stack, aws):
    notebook = aws("sagemaker").describe_notebook_instance(NotebookInstanceName="sbx-ml")
    key = aws("kms").describe_key(KeyId=notebook["KmsKeyId"])["KeyMetadata"]

    assert notebook["NotebookInstanceArn"] == stack.outputs["notebook_arn"]
    assert (notebook["DirectInternetAccess"], notebook["RootAccess"]) == ("Disabled", "Disabled")
    assert (notebook["InstanceType"], notebook["VolumeSizeInGB"]) == ("ml.t3.medium", 10)
    assert key["Description"] == "sbx-ml"
    tags = tags_of(aws("sagemaker").list_tags(ResourceArn=notebook["NotebookInstanceArn"])["Tags"])
    assert tags == {**DEFAULT_TAGS, "Name": "sbx-ml", "Owner": "team-a"}


def test_apply_routes_s3_through_the_gateway_endpoint(stack, aws):
    ec2 = aws("ec2")

    [endpoint] = ec2.describe_vpc_endpoints(VpcEndpointIds=[stack.outputs["endpoint_id"]])["VpcEndpoints"]
    main_table = stack.outputs["route_table_ids"][0]
    [table] = ec2.describe_route_tables(RouteTableIds=[main_table])["RouteTables"]

    assert endpoint["RouteTableIds"] == [main_table]
    assert json.loads(endpoint["PolicyDocument"])["Statement"][0]["Resource"] == "arn:aws:s3:::sbx-ml/*"
    route = next(r for r in table["Routes"] if r.get("GatewayId") == endpoint["VpcEndpointId"])
    assert route["DestinationPrefixListId"] == stack.outputs["prefix_list_id"]
    assert tags_of(endpoint["Tags"])["Owner"] == "team-a"


def test_replan_has_no_changes(stack):
    assert no_changes(stack.tf)


def test_instance_type_volume_growth_tags_and_route_tables_change_in_place(stack, aws):
    write_vars(stack, instance_type="ml.t3.large", volume_size=20, owner="team-b", endpoint_tables=2)

    plan = stack.tf.plan_json()
    stack.tf.apply_saved_plan()

    assert actions(plan) == {
        "aws_sagemaker_notebook_instance.this": ["update"],
        "aws_vpc_endpoint.s3": ["update"],
    }
    notebook = aws("sagemaker").describe_notebook_instance(NotebookInstanceName="sbx-ml")
    assert (notebook["InstanceType"], notebook["VolumeSizeInGB"], notebook["NotebookInstanceStatus"]) == (
        "ml.t3.large",
        20,
        "InService",
    )
    assert notebook["NotebookInstanceArn"] == stack.outputs["notebook_arn"]
    assert tags_of(aws("sagemaker").list_tags(ResourceArn=notebook["NotebookInstanceArn"])["Tags"])["Owner"] == "team-b"
    [endpoint] = aws("ec2").describe_vpc_endpoints(VpcEndpointIds=[stack.outputs["endpoint_id"]])["VpcEndpoints"]
    assert sorted(endpoint["RouteTableIds"]) == sorted(stack.outputs["route_table_ids"])
    assert no_changes(stack.tf)


def test_a_smaller_volume_replaces_the_notebook(stack):
    write_vars(stack, volume_size=15)

    plan = stack.tf.plan_json()

    assert actions(plan) == {"aws_sagemaker_notebook_instance.this": ["delete", "create"]}
    stack.tf.apply_saved_plan()
    assert no_changes(stack.tf)


def test_the_notebook_and_the_endpoint_are_imported_back(stack):
    # as the portal adopts what an interrupted apply created: by the notebook's name, the endpoint's id
    addresses = ["aws_sagemaker_notebook_instance.this", "aws_vpc_endpoint.s3"]
    removed = subprocess.run(
        [stack.tf.binary, "state", "rm", *addresses], cwd=stack.tf.workdir, env=stack.tf.env, capture_output=True
    )
    assert removed.returncode == 0, removed.stderr

    stack.tf.run("import", "-input=false", "aws_sagemaker_notebook_instance.this", "sbx-ml")
    stack.tf.run("import", "-input=false", "aws_vpc_endpoint.s3", stack.outputs["endpoint_id"])

    plan = stack.tf.plan_json()
    assert actions(plan) == {"aws_sagemaker_notebook_instance.this": ["update"]}
    # moto keeps no IMDS setting, so an imported notebook reads AWS's default (both versions): the
    # only difference, which the next apply sets again (sandbox/README.md lists the gap)
    notebook = change(plan, "aws_sagemaker_notebook_instance.this")
    assert {k for k in notebook["after"] if notebook["after"][k] != notebook["before"][k]} == {
        "instance_metadata_service_configuration"
    }
    stack.tf.apply_saved_plan()
    assert no_changes(stack.tf)


def test_destroy_removes_the_notebooks_and_the_endpoint(stack, aws):
    stack.tf.run("destroy", "-input=false", "-auto-approve")

    assert aws("sagemaker").list_notebook_instances()["NotebookInstances"] == []
    endpoints = aws("ec2").describe_vpc_endpoints(VpcEndpointIds=[stack.outputs["endpoint_id"]])["VpcEndpoints"]
    assert [e["State"].lower() for e in endpoints] in ([], ["deleted"])


def test_endpoint_blocks_the_sandbox_does_not_implement_are_refused_at_plan_time(
    tmp_path, terraform_env, moto_endpoint
):
    config = (
        (CONFIG_DIR / "main.tf")
        .read_text()
        .replace(
            '  service_name    = "com.amazonaws.eu-west-1.s3"\n',
            '  service_name    = "com.amazonaws.eu-west-1.s3"\n  dns_options {\n    dns_record_ip_type = "ipv4"\n  }\n',
        )
    )
    assert "dns_options" in config
    tf = init_config(tmp_path, terraform_env, config)
    tf.write_vars(endpoint=moto_endpoint)

    assert "dns_options is not implemented by the sandbox provider" in failing_plan(tf)
