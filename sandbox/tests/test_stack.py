"""One stack using every implemented resource, driven through the real terraform binary
against a real moto server: plan JSON shape, apply, in-place updates, replacement, drift
and destroy. The tests run in file order and share one apply (they are steps of one story).
"""

import pytest

from sandbox.aws_provider import PROVIDER_VERSION

from .conftest import STACK_DIR
from .helpers import actions, apply_stack, change, no_changes, resource

pytestmark = pytest.mark.integration

BUCKET = "sandbox-stack-data"
DEFAULT_TAGS = {"idp:environment": "sandbox-test", "idp:team": "platform"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, STACK_DIR, bucket_name=BUCKET)


def test_init_installs_the_sandbox_provider_from_the_mirror_and_locks_it(stack):
    lock = (stack.tf.workdir / ".terraform.lock.hcl").read_text()

    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert f'version     = "{PROVIDER_VERSION}"' in lock


def test_data_sources_read_the_sandbox_account_zones_and_images(stack, aws):
    assert stack.outputs["account_id"] == "123456789012"
    image = aws("ec2").describe_images(ImageIds=[stack.outputs["linux_ami"]])["Images"][0]
    assert image["Name"].startswith("al2023-ami-2023.")
    assert resource(stack.plan, "aws_subnet.public")["values"]["availability_zone"] == "eu-west-1a"


def test_plan_knows_tags_all_merged_with_default_tags(stack):
    vpc = resource(stack.plan, "aws_vpc.main")
    sg = resource(stack.plan, "aws_security_group.web")
    igw = resource(stack.plan, "aws_internet_gateway.gw")

    assert vpc["values"]["tags_all"] == {**DEFAULT_TAGS, "Name": "main"}
    assert sg["values"]["tags_all"] == {**DEFAULT_TAGS, "Owner": "team-a", "idp:team": "web-team"}
    assert igw["values"]["tags"] is None
    assert igw["values"]["tags_all"] == DEFAULT_TAGS
    for c in stack.plan["resource_changes"]:
        if "tags_all" in c["change"]["after"] or "tags_all" in c["change"]["after_unknown"]:
            # after_unknown holds `true` for unknown values, empty containers for known ones
            assert c["change"]["after_unknown"].get("tags_all") in (None, {}), c["address"]
            assert c["change"]["after"]["tags_all"]["idp:environment"] == "sandbox-test", c["address"]


def test_plan_shows_security_group_rules_as_arrays_of_objects(stack):
    sg = resource(stack.plan, "aws_security_group.web")["values"]

    https = next(rule for rule in sg["ingress"] if rule["from_port"] == 443)
    assert len(sg["ingress"]) == 2
    assert https["to_port"] == 443
    assert https["protocol"] == "tcp"
    assert https["cidr_blocks"] == ["0.0.0.0/0"]
    assert https["description"] == "https"
    assert sg["egress"][0]["protocol"] == "-1"
    assert sg["description"] == "web tier"
    assert sg["revoke_rules_on_delete"] is False


def test_plan_shows_nested_blocks_like_the_real_provider(stack):
    instance = resource(stack.plan, "aws_instance.web")["values"]
    sse = resource(stack.plan, "aws_s3_bucket_server_side_encryption_configuration.data")["values"]
    pab = resource(stack.plan, "aws_s3_bucket_public_access_block.data")["values"]
    versioning = resource(stack.plan, "aws_s3_bucket_versioning.data")["values"]

    assert instance["instance_type"] == "t3.micro"
    assert len(instance["root_block_device"]) == 1
    root = instance["root_block_device"][0]
    assert (root["volume_size"], root["volume_type"], root["encrypted"], root["delete_on_termination"]) == (
        20,
        "gp3",
        True,
        True,
    )
    assert "kms_key_id" in change(stack.plan, "aws_instance.web")["after_unknown"]["root_block_device"][0]
    assert instance["metadata_options"][0]["http_tokens"] == "required"
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert sse["rule"][0]["bucket_key_enabled"] is True
    assert all(
        pab[flag]
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"


def test_apply_creates_tagged_encrypted_resources_in_the_sandbox_cloud(stack, aws):
    ec2, s3 = aws("ec2"), aws("s3")

    vpc = ec2.describe_vpcs(VpcIds=[stack.outputs["vpc_id"]])["Vpcs"][0]
    assert {t["Key"]: t["Value"] for t in vpc["Tags"]} == {**DEFAULT_TAGS, "Name": "main"}
    instance = ec2.describe_instances(InstanceIds=[stack.outputs["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["InstanceType"] == "t3.micro"
    assert instance["State"]["Name"] == "running"
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert {t["Key"]: t["Value"] for t in instance["Tags"]}["idp:environment"] == "sandbox-test"
    volume_id = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    assert (volume["Size"], volume["VolumeType"], volume["Encrypted"]) == (20, "gp3", True)
    group = ec2.describe_security_groups(GroupIds=[stack.outputs["security_group_id"]])["SecurityGroups"][0]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [22, 443]
    assert group["IpPermissionsEgress"][0]["IpRanges"][0]["CidrIp"] == "0.0.0.0/0"
    routes = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
    assert any(r.get("GatewayId", "").startswith("igw-") for t in routes for r in t["Routes"])

    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]} == {
        **DEFAULT_TAGS,
        "Owner": "team-a",
    }
    tagged = aws("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": "idp:environment", "Values": ["sandbox-test"]}]
    )["ResourceTagMappingList"]
    arns = {m["ResourceARN"] for m in tagged}
    assert f"arn:aws:s3:::{BUCKET}" in arns
    assert any(stack.outputs["instance_id"] in arn for arn in arns)


def test_plan_right_after_apply_has_no_changes(stack):
    assert no_changes(stack.tf)


def test_tag_and_instance_type_changes_are_updated_in_place(stack, aws):
    stack.tf.write_vars(endpoint=stack.endpoint, bucket_name=BUCKET, owner_tag="team-b", instance_type="t3.large")

    plan = stack.tf.plan_json()

    assert actions(plan) == {
        "aws_instance.web": ["update"],
        "aws_security_group.web": ["update"],
        "aws_s3_bucket.data": ["update"],
    }
    assert resource(plan, "aws_instance.web")["values"]["tags_all"]["Owner"] == "team-b"
    stack.tf.apply_saved_plan()
    instance = aws("ec2").describe_instances(InstanceIds=[stack.outputs["instance_id"]])["Reservations"][0]
    instance = instance["Instances"][0]
    assert instance["InstanceType"] == "t3.large"
    assert {t["Key"]: t["Value"] for t in instance["Tags"]}["Owner"] == "team-b"
    assert stack.tf.run("plan", "-input=false", "-detailed-exitcode", check=False).returncode == 0


def test_changing_a_force_new_attribute_plans_a_replacement(stack):
    stack.tf.write_vars(
        endpoint=stack.endpoint,
        bucket_name=BUCKET,
        owner_tag="team-b",
        instance_type="t3.large",
        web_sg_description="web tier v2",
    )

    plan = stack.tf.plan_json()

    assert change(plan, "aws_security_group.web")["actions"] == ["delete", "create"]
    stack.tf.write_vars(endpoint=stack.endpoint, bucket_name=BUCKET, owner_tag="team-b", instance_type="t3.large")


def test_out_of_band_changes_are_detected_as_drift(stack, aws):
    ec2, s3 = aws("ec2"), aws("s3")
    s3.delete_public_access_block(Bucket=BUCKET)
    ec2.create_tags(Resources=[stack.outputs["vpc_id"]], Tags=[{"Key": "rogue", "Value": "yes"}])
    ec2.modify_vpc_attribute(VpcId=stack.outputs["vpc_id"], EnableDnsHostnames={"Value": False})

    plan = stack.tf.plan_json()

    assert actions(plan) == {"aws_s3_bucket_public_access_block.data": ["create"], "aws_vpc.main": ["update"]}
    vpc_change = change(plan, "aws_vpc.main")
    assert vpc_change["before"]["tags"]["rogue"] == "yes"
    assert vpc_change["before"]["enable_dns_hostnames"] is False
    assert vpc_change["after"]["enable_dns_hostnames"] is True
    stack.tf.apply_saved_plan()
    assert all(s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"].values())
    assert stack.tf.run("plan", "-input=false", "-detailed-exitcode", check=False).returncode == 0


def test_destroy_removes_everything(stack, aws):
    ec2, s3 = aws("ec2"), aws("s3")
    s3.put_object(Bucket=BUCKET, Key="report.csv", Body=b"a,b\n")  # force_destroy empties it

    stack.tf.run("destroy", "-input=false", "-auto-approve")

    assert not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [stack.outputs["vpc_id"]]}])["Vpcs"]
    instance = ec2.describe_instances(InstanceIds=[stack.outputs["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "terminated"
    assert BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
