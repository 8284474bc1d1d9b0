"""Deleting orphans in the cloud (moto server): dependents first, so one pass deletes a whole tree; a refusal
names the resource, the cloud's words and what was deleted before it."""

import boto3
import pytest

from provisioning import orphan_cleanup, reconcile

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
ENVIRONMENT = 77
TAGS = [{"Key": reconcile.TAG, "Value": str(ENVIRONMENT)}]


@pytest.fixture
def cloud(moto_server, settings):
    moto_server.reset()
    settings.SANDBOX_CLOUD = True
    settings.AWS_ENDPOINT_URL = moto_server.endpoint

    def client(service: str):
        return boto3.client(service, endpoint_url=moto_server.endpoint, region_name=REGION,
                            aws_access_key_id="sandbox", aws_secret_access_key="sandbox")  # fmt: skip

    return client


def build_tree(cloud) -> dict:
    """What an interrupted apply of a development box leaves: a network with an instance in it, a versioned
    bucket holding two versions of an object, a log group and an alarm topic, all carrying the tag."""
    ec2 = cloud("ec2")
    spec = [{"ResourceType": kind, "Tags": TAGS} for kind in ("vpc", "subnet", "security-group", "instance")]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=spec[:1])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", TagSpecifications=spec[1:2])["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="box", Description="box", VpcId=vpc, TagSpecifications=spec[2:3])
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[group["GroupId"]],
                      TagSpecifications=spec[3:])  # fmt: skip
    s3 = cloud("s3")
    s3.create_bucket(Bucket="box-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="box-artifacts", Tagging={"TagSet": TAGS})
    s3.put_bucket_versioning(Bucket="box-artifacts", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="box-artifacts", Key="build.zip", Body=b"1")
    s3.put_object(Bucket="box-artifacts", Key="build.zip", Body=b"2")
    cloud("logs").create_log_group(logGroupName="/idp/box", tags={reconcile.TAG: str(ENVIRONMENT)})
    cloud("sns").create_topic(Name="box-alarms", Tags=TAGS)
    return {"vpc": vpc, "subnet": subnet}


def orphans() -> list[reconcile.CloudResource]:
    return reconcile.find_orphans(reconcile.tagged_resources(ENVIRONMENT, REGION), state={})


def test_one_pass_deletes_a_whole_tree_dependents_first(cloud):
    build_tree(cloud)
    found = orphans()
    assert {r.type for r in found} >= {"aws_vpc", "aws_subnet", "aws_security_group", "aws_instance",
                                       "aws_s3_bucket", "aws_cloudwatch_log_group", "aws_sns_topic"}  # fmt: skip

    lines = []
    deleted = orphan_cleanup.delete([r for r in found if orphan_cleanup.deletable(r)], REGION, lines.append)

    order = [r.type for r in deleted]
    assert order.index("aws_instance") < order.index("aws_subnet") < order.index("aws_vpc")
    assert order.index("aws_security_group") < order.index("aws_vpc")
    assert orphans() == []  # the VPC's default group went with its VPC
    assert cloud("s3").list_buckets()["Buckets"] == [] and cloud("sns").list_topics()["Topics"] == []
    assert any("deleting aws_vpc" in line for line in lines)


def test_a_refusal_names_the_resource_and_the_clouds_words_and_changes_nothing_after_it(cloud):
    # given a VPC picked for deletion without the subnet that lives in it
    tree = build_tree(cloud)
    vpc = next(r for r in orphans() if r.type == "aws_vpc")

    # when the worker deletes it, then the cloud's refusal is passed on with what to do
    with pytest.raises(orphan_cleanup.CleanupFailed) as refused:
        orphan_cleanup.delete([vpc], REGION, lambda line: None)
    assert vpc.arn in str(refused.value) and "DependencyViolation" in str(refused.value)
    assert "Deleted before it: nothing" in str(refused.value) and "then retry" in str(refused.value)
    assert refused.value.deleted == []
    assert cloud("ec2").describe_subnets(SubnetIds=[tree["subnet"]])["Subnets"]


def test_a_refusal_after_some_deletions_says_which_went_first(cloud):
    # given the instance and the VPC picked, but not the subnet between them
    build_tree(cloud)
    picked = [r for r in orphans() if r.type in ("aws_instance", "aws_vpc")]

    with pytest.raises(orphan_cleanup.CleanupFailed) as refused:
        orphan_cleanup.delete(picked, REGION, lambda line: None)

    [instance] = [r for r in picked if r.type == "aws_instance"]
    assert refused.value.deleted == [instance] and f"Deleted before it: {instance.id}" in str(refused.value)


def test_a_type_the_portal_cannot_name_is_never_deleted():
    unknown = reconcile.CloudResource("arn:aws:kafka:eu-west-1:1:cluster/x/1", None, "1")
    default_group = reconcile.CloudResource("arn:aws:ec2:eu-west-1:1:security-group/sg-1", "aws_default_security_group",
                                            "sg-1")  # fmt: skip
    assert not orphan_cleanup.deletable(unknown) and not orphan_cleanup.deletable(default_group)
