"""Acceptance: the machine-learning workload pattern run end to end through terraform against the
sandbox cloud exactly as the portal runs it (root module and tfvars from
provisioning.terraform.workspace; name, tier, tags and each parameter's default from pattern.yaml):
plan, apply, re-plan (no changes), a bigger notebook in place, destroy.
"""

import json
from types import SimpleNamespace

import pytest

from .helpers import actions, change, no_changes, pattern_workspace, planned

pytestmark = pytest.mark.integration

NAME = "acc-ml-1"
TAGS = {
    "team": "research",
    "project": "acceptance",
    "cost-centre": "CC-3003",
    "environment": "dev",
    "managed-by": "idp-portal",
    "idp:environment": NAME,
    "pattern": "ml-workload@1.0.0",
}


@pytest.fixture(scope="module")
def ml(tmp_path_factory, terraform_env, moto_endpoint):
    tmp_path = tmp_path_factory.mktemp("ml-workload")
    tf, spec, defaults = pattern_workspace(tmp_path, terraform_env, moto_endpoint, "ml-workload", NAME, "dev", TAGS)
    plan = tf.plan_json()
    tf.apply_saved_plan()
    return SimpleNamespace(tf=tf, plan=plan, outputs=tf.outputs(), spec=spec, defaults=defaults)


def test_plan_shows_a_private_encrypted_notebook_and_no_ingress(ml):
    notebook = planned(ml.plan, "module.pattern.aws_sagemaker_notebook_instance.this")
    group = planned(ml.plan, "module.pattern.aws_security_group.workload")
    endpoint = planned(ml.plan, "module.pattern.aws_vpc_endpoint.s3")

    assert (notebook["direct_internet_access"], notebook["root_access"]) == ("Disabled", "Disabled")
    assert (notebook["instance_type"], notebook["volume_size"]) == ("ml.t3.medium", 20)
    assert notebook["instance_metadata_service_configuration"] == [{"minimum_instance_metadata_service_version": "2"}]
    assert notebook["tags_all"] == {**TAGS, "Name": NAME}
    # AWS's current platform (the names hashicorp/aws 5.x accepts are deprecated Amazon Linux 2 ones)
    assert change(ml.plan, "module.pattern.aws_sagemaker_notebook_instance.this")["after_unknown"][
        "platform_identifier"
    ]
    assert group["ingress"] == []  # known at plan time: the ingress policy can tell there is none
    assert (endpoint["vpc_endpoint_type"], endpoint["service_name"]) == ("Gateway", "com.amazonaws.eu-west-1.s3")
    assert "aws_internet_gateway" not in {c["type"] for c in ml.plan["resource_changes"]}


def test_apply_gives_training_jobs_what_they_need(ml, aws):
    outputs = ml.outputs
    notebook = aws("sagemaker").describe_notebook_instance(NotebookInstanceName=outputs["notebook_name"])

    assert notebook["KmsKeyId"] == outputs["kms_key_arn"]
    assert ml.tf.outputs()["notebook_url"] == notebook["Url"]
    assert notebook["RoleArn"] == outputs["execution_role_arn"]
    assert notebook["SubnetId"] == outputs["subnet_ids"][0] and len(outputs["subnet_ids"]) == 2
    assert notebook["SecurityGroups"] == [outputs["security_group_id"]]
    subnets = aws("ec2").describe_subnets(SubnetIds=outputs["subnet_ids"])["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == {"eu-west-1a", "eu-west-1b"}
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    # S3 only through the endpoint, on the route table the subnets use, and only the artifacts bucket
    [endpoint] = aws("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [subnets[0]["VpcId"]]}])[
        "VpcEndpoints"
    ]
    [main_table] = aws("ec2").describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [subnets[0]["VpcId"]]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    assert endpoint["RouteTableIds"] == [main_table["RouteTableId"]]
    [statement] = json.loads(endpoint["PolicyDocument"])["Statement"]
    bucket_arn = f"arn:aws:s3:::{outputs['artifacts_bucket']}"
    assert statement["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    [group] = aws("ec2").describe_security_groups(GroupIds=[outputs["security_group_id"]])["SecurityGroups"]
    assert group["IpPermissions"] == []
    [egress] = group["IpPermissionsEgress"]
    assert (egress["FromPort"], [p["PrefixListId"] for p in egress["PrefixListIds"]]) == (
        443,
        [planned_prefix_list(aws, endpoint)],
    )


def planned_prefix_list(aws, endpoint: dict) -> str:
    lists = aws("ec2").describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [endpoint["ServiceName"]]}]
    )
    return lists["PrefixLists"][0]["PrefixListId"]


def test_failed_training_jobs_of_the_role_are_sent_to_the_alarm_topic(ml, aws):
    outputs, events = ml.outputs, aws("events")

    rule = events.describe_rule(Name=outputs["training_job_event_rule"])
    targets = events.list_targets_by_rule(Rule=outputs["training_job_event_rule"])["Targets"]

    assert rule["State"] == "ENABLED"
    pattern = json.loads(rule["EventPattern"])
    assert pattern["source"] == ["aws.sagemaker"]
    assert pattern["detail"]["RoleArn"] == [outputs["execution_role_arn"]]
    assert [t["Arn"] for t in targets] == [outputs["alarm_topic_arn"]]
    topic = aws("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == outputs["kms_key_arn"]
    statements = {s["Sid"]: s for s in json.loads(topic["Policy"])["Statement"]}
    assert statements["TrainingJobEventsPublish"]["Condition"] == {"ArnEquals": {"aws:SourceArn": rule["Arn"]}}
    assert statements["DenyWithoutTLS"]["Effect"] == "Deny"
    [alarm] = aws("cloudwatch").describe_alarms(AlarmNames=outputs["alarms"])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Events", "FailedInvocations")
    assert alarm["Dimensions"] == [{"Name": "RuleName", "Value": outputs["training_job_event_rule"]}]


def test_replan_has_no_changes(ml):
    assert no_changes(ml.tf)


def test_a_bigger_notebook_is_changed_in_place(ml, aws):
    variables = json.loads((ml.tf.workdir / "terraform.tfvars.json").read_text())
    ml.tf.write_vars(**{**variables, "notebook_instance_type": "ml.t3.large", "volume_size_gb": 40})

    plan = ml.tf.plan_json()
    ml.tf.apply_saved_plan()

    assert actions(plan) == {"module.pattern.aws_sagemaker_notebook_instance.this": ["update"]}
    notebook = aws("sagemaker").describe_notebook_instance(NotebookInstanceName=ml.outputs["notebook_name"])
    assert (notebook["InstanceType"], notebook["VolumeSizeInGB"]) == ("ml.t3.large", 40)
    assert no_changes(ml.tf)


def test_destroy_removes_everything(ml, aws):
    ml.tf.run("destroy", "-input=false", "-auto-approve")

    assert aws("sagemaker").list_notebook_instances()["NotebookInstances"] == []
    assert ml.outputs["artifacts_bucket"] not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert aws("events").list_rules(NamePrefix=NAME)["Rules"] == []
    assert f"{NAME}-sagemaker-execution" not in {r["RoleName"] for r in aws("iam").list_roles()["Roles"]}
