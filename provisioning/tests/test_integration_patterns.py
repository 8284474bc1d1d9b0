"""Every shipped pattern, for real: planned, applied, checked through boto3, destroyed.

Real Celery worker, terraform binary, PostgreSQL state backend and moto server;
approvals given by the reviewer groups the rules ask for.
"""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import request_change
from provisioning import actions
from provisioning.actions import decide_change
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.models import ChangeRequest, Environment
from provisioning.tests.conftest import tagged_arns, wait_for_status

pytestmark = pytest.mark.integration
MANDATORY = {"team", "project", "cost-centre", "environment", "idp:environment"}


def approve_everything(change: ChangeRequest, reviewers: dict) -> ChangeRequest:
    change = wait_for_status(change, {ChangeStatus.AWAITING_APPROVAL, ChangeStatus.APPLIED, ChangeStatus.APPROVED,
                                      ChangeStatus.APPLYING})  # fmt: skip
    for requirement in change.requirements.filter(superseded=False, approval__isnull=True):
        decide_change(actor=reviewers[requirement.group], change=change, group=requirement.group, decision="approved")
    return wait_for_status(change, ChangeStatus.APPLIED, timeout=300)


def check_web_app(aws, environment):
    name = f"{environment.name}-{environment.pk}"
    lb = aws("elbv2").describe_load_balancers(Names=[name])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    assert aws("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]["Name"] == name
    database = aws("rds").describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    assert database["StorageEncrypted"] and not database["PubliclyAccessible"]
    group = aws("logs").describe_log_groups(logGroupNamePrefix=f"/idp/{name}/")["logGroups"][0]
    assert group["kmsKeyId"].startswith("arn:aws:kms:")
    bucket = environment.outputs["log_bucket"]
    assert aws("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    check_alarms(aws, environment, {"HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "UnHealthyHostCount",
                                    "CPUUtilization", "FreeStorageSpace", "DatabaseConnections"})  # fmt: skip
    return lambda: (
        not aws("elbv2").describe_load_balancers()["LoadBalancers"]
        and not _exists(lambda: aws("rds").describe_db_instances(DBInstanceIdentifier=name))
    )


def check_flow_logs(aws, environment) -> None:
    """Every accepted and rejected connection of the environment's VPC is logged to S3."""
    name = f"{environment.name}-{environment.pk}"
    logs = aws("ec2").describe_flow_logs(Filters=[{"Name": "tag:Name", "Values": [f"{name}-flow-logs"]}])["FlowLogs"]
    assert [(f["TrafficType"], f["LogDestinationType"]) for f in logs] == [("ALL", "s3")]


def check_alarms(aws, environment, metrics: set[str]) -> dict:
    """The environment's alarms exist, watch ``metrics`` and notify the topic in its outputs; the
    statements of that topic's policy, by Sid."""
    topic_arn, names = environment.outputs["alarm_topic_arn"], environment.outputs["alarms"]
    alarms = aws("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    assert {a["MetricName"] for a in alarms} == metrics
    assert len(alarms) == len(names)
    assert all(a["AlarmActions"] == [topic_arn] and a["OKActions"] == [topic_arn] for a in alarms)
    topic = aws("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"]
    # TLS only, and CloudWatch may publish (the topic's policy replaces SNS's default one)
    statements = {s["Sid"]: s for s in json.loads(topic["Policy"])["Statement"]}
    assert statements["DenyWithoutTLS"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["CloudWatchPublishes"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    return statements


def assert_alarm_topic_under_platform_key(aws, environment) -> None:
    topic = aws("sns").get_topic_attributes(TopicArn=environment.outputs["alarm_topic_arn"])["Attributes"]
    platform_key = aws("kms").describe_key(KeyId="alias/idp-platform-alarms")["KeyMetadata"]["Arn"]
    assert topic["KmsMasterKeyId"] == platform_key
    create = environment.changes.order_by("pk").first()
    assert not create.requirements.filter(group="security").exists()


def check_data_warehouse(aws, environment):
    name = f"{environment.name}-{environment.pk}"
    cluster = aws("redshift").describe_clusters(ClusterIdentifier=name)["Clusters"][0]
    assert cluster["Encrypted"] and not cluster["PubliclyAccessible"]
    tags = {t["Key"] for t in cluster["Tags"]}
    assert tags >= MANDATORY
    bucket = environment.outputs["data_bucket"]
    rule = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    subnet_group = cluster["ClusterSubnetGroupName"]
    vpc_id = aws("redshift").describe_cluster_subnet_groups(ClusterSubnetGroupName=subnet_group)["ClusterSubnetGroups"][
        0
    ]["VpcId"]
    gateways = aws("ec2").describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    assert gateways["InternetGateways"] == [], "the warehouse VPC must have no internet gateway"
    check_alarms(aws, environment, {"CPUUtilization", "PercentageDiskSpaceUsed", "HealthStatus"})
    check_flow_logs(aws, environment)
    return lambda: (
        not _exists(lambda: aws("redshift").describe_clusters(ClusterIdentifier=name))
        and not _exists(lambda: aws("s3").head_bucket(Bucket=bucket))
    )


def check_postgres_database(aws, environment):
    name = f"{environment.name}-{environment.pk}"
    database = aws("rds").describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    assert database["StorageEncrypted"] and not database["PubliclyAccessible"]
    assert {t["Key"] for t in database["TagList"]} >= MANDATORY
    check_alarms(aws, environment, {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"})
    check_flow_logs(aws, environment)
    parameters = aws("rds").describe_db_parameters(
        DBParameterGroupName=database["DBParameterGroups"][0]["DBParameterGroupName"]
    )
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters["Parameters"]}["rds.force_ssl"] == "1"
    return lambda: (
        not _exists(lambda: aws("rds").describe_db_instances(DBInstanceIdentifier=name))
        and not aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"{name}-")["MetricAlarms"]
    )


def check_message_queue(aws, environment):
    url, topic_arn = environment.outputs["queue_url"], environment.outputs["topic_arn"]
    attributes = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["SqsManagedSseEnabled"] == "true"
    topic = aws("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    assert set(aws("sqs").list_queue_tags(QueueUrl=url)["Tags"]) >= MANDATORY
    check_alarms(aws, environment, {"ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"})
    # encrypted with the platform's key, not one of its own: creating a queue needs no security review
    assert_alarm_topic_under_platform_key(aws, environment)
    return lambda: (
        not _exists(lambda: aws("sqs").get_queue_attributes(QueueUrl=url))
        and not _exists(lambda: aws("sns").get_topic_attributes(TopicArn=topic_arn))
    )


def check_data_pipeline(aws, environment):
    name = f"{environment.name}-{environment.pk}"
    outputs = environment.outputs
    buckets = [outputs["raw_bucket"], outputs["curated_bucket"]]
    for bucket in buckets:
        rule = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                              "KMSMasterKeyID": outputs["kms_key_arn"]}  # fmt: skip
        assert aws("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert all(aws("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=outputs["state_machine_arn"])
    assert machine["type"] == "STANDARD" and machine["loggingConfiguration"]["level"] == "ALL"
    group = aws("logs").describe_log_groups(logGroupNamePrefix=outputs["log_group_name"])["logGroups"][0]
    assert group["kmsKeyId"] == outputs["kms_key_arn"] and group["retentionInDays"] == 30
    targets = aws("events").list_targets_by_rule(Rule=f"{name}-schedule")["Targets"]
    assert [t["Arn"] for t in targets] == [outputs["state_machine_arn"]] and targets[0]["RoleArn"]
    check_alarms(aws, environment, {"ExecutionsFailed", "ExecutionsTimedOut"})
    # its own key and two roles: the security team reviewed the request
    assert environment.changes.order_by("pk").first().requirements.filter(group="security").exists()
    return lambda: (
        not _exists(lambda: aws("stepfunctions").describe_state_machine(stateMachineArn=outputs["state_machine_arn"]))
        and not any(_exists(lambda b=b: aws("s3").head_bucket(Bucket=b)) for b in buckets)
        and not aws("events").list_rules(NamePrefix=name)["Rules"]
    )


def check_ml_workload(aws, environment):
    name, outputs = f"{environment.name}-{environment.pk}", environment.outputs
    notebook = aws("sagemaker").describe_notebook_instance(NotebookInstanceName=outputs["notebook_name"])
    assert (notebook["DirectInternetAccess"], notebook["RootAccess"]) == ("Disabled", "Disabled")
    assert notebook["KmsKeyId"] == outputs["kms_key_arn"]
    assert notebook["RoleArn"] == outputs["execution_role_arn"]
    assert notebook["SubnetId"] in outputs["subnet_ids"]
    assert notebook["SecurityGroups"] == [outputs["security_group_id"]]
    tags = aws("sagemaker").list_tags(ResourceArn=notebook["NotebookInstanceArn"])["Tags"]
    assert {t["Key"] for t in tags} >= MANDATORY
    # a private network: no internet gateway, S3 through a gateway endpoint, a group with no ingress
    ec2 = aws("ec2")
    [group] = ec2.describe_security_groups(GroupIds=[outputs["security_group_id"]])["SecurityGroups"]
    vpc_id = group["VpcId"]
    assert group["IpPermissions"] == []
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    assert gateways["InternetGateways"] == [], "the notebook's VPC must have no internet gateway"
    [endpoint] = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert (endpoint["VpcEndpointType"], endpoint["ServiceName"]) == ("Gateway", "com.amazonaws.eu-west-1.s3")
    bucket_arn = f"arn:aws:s3:::{outputs['artifacts_bucket']}"
    assert json.loads(endpoint["PolicyDocument"])["Statement"][0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    # the artifacts bucket: the pattern's key, versioned, private, TLS only
    s3, bucket = aws("s3"), outputs["artifacts_bucket"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == outputs["kms_key_arn"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    deny = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    # the execution role: SageMaker's, allowed the bucket and the key, no other bucket or key
    role_name = outputs["execution_role_arn"].rsplit("/", 1)[1]
    trust = aws("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "sagemaker.amazonaws.com"}]
    [policy_name] = aws("iam").list_role_policies(RoleName=role_name)["PolicyNames"]
    document = aws("iam").get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    scoped = [s for s in document["Statement"] if any(str(a).startswith(("s3:", "kms:")) for a in _listed(s["Action"]))]
    assert {r for s in scoped for r in _listed(s["Resource"])} == {
        bucket_arn,
        f"{bucket_arn}/*",
        outputs["kms_key_arn"],
    }
    # monitoring: failed or stopped training jobs of this role reach the alarm topic through EventBridge,
    # and an alarm says when EventBridge cannot deliver
    events, rule_name = aws("events"), outputs["training_job_event_rule"]
    pattern = json.loads(events.describe_rule(Name=rule_name)["EventPattern"])
    assert pattern["detail-type"] == ["SageMaker Training Job State Change"]
    assert pattern["detail"] == {"TrainingJobStatus": ["Failed", "Stopped"], "RoleArn": [outputs["execution_role_arn"]]}
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rule_name)["Targets"]] == [outputs["alarm_topic_arn"]]
    statements = check_alarms(aws, environment, {"FailedInvocations"})
    assert statements["TrainingJobEventsPublish"]["Principal"] == {"Service": "events.amazonaws.com"}
    check_flow_logs(aws, environment)
    return lambda: (
        not _exists(lambda: aws("sagemaker").describe_notebook_instance(NotebookInstanceName=name))
        and not _exists(lambda: aws("s3").head_bucket(Bucket=bucket))
        and not _exists(lambda: events.describe_rule(Name=rule_name))
    )


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _exists(call) -> bool:
    try:
        call()
    except ClientError:
        return False
    return True


CHECKS = {
    "web-app": check_web_app,
    "data-warehouse": check_data_warehouse,
    "postgres-database": check_postgres_database,
    "message-queue": check_message_queue,
    "data-pipeline": check_data_pipeline,
    "ml-workload": check_ml_workload,
}


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_pattern_is_applied_compliant_and_destroyed(slug, sandbox, aws, catalogue, alice, payments, nina, sam, pat):
    reviewers = {"network": nina, "security": sam, "platform": pat}

    # given alice requests the pattern with its defaults in the dev tier
    change = request_change(alice, payments, catalogue[slug], name=slug.split("-")[0][:10] + "-env", ttl_days=5)

    # when the reviewers the rules ask for approve, the plan is applied
    change = approve_everything(change, reviewers)

    # then every resource exists, carries the mandatory tags and is encrypted and private
    environment = Environment.objects.get(pk=change.environment_id)
    assert environment.status == EnvironmentStatus.ACTIVE
    gone = CHECKS[slug](aws, environment)
    tagged = tagged_arns(aws, environment)
    assert tagged, "the tagging API lists the environment's resources"
    for arn, tags in tagged.items():
        assert set(tags) >= MANDATORY, f"{arn} lacks {MANDATORY - set(tags)}"
    assert all(set(r["tags"]) >= MANDATORY for r in environment.resources if r["tags"])

    # when alice decommissions it (approved like any change)
    destroy = actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    approve_everything(destroy, reviewers)

    # then the resources are gone
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DECOMMISSIONED
    assert gone()


def test_production_database_is_protected_until_its_approved_decommission(sandbox, aws, catalogue, alice, payments,
                                                                          nina, sam, pat):  # fmt: skip
    reviewers = {"network": nina, "security": sam, "platform": pat}

    # given alice's production database, applied after review
    change = request_change(
        alice,
        payments,
        catalogue["postgres-database"],
        name="ledger-db",
        tier="prod",
        multi_az=True,
        instance_class="db.t3.small",
    )
    change = approve_everything(change, reviewers)
    environment = Environment.objects.get(pk=change.environment_id)
    name = f"{environment.name}-{environment.pk}"

    # then AWS holds it with deletion protection on, in two availability zones
    database = aws("rds").describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    assert (database["DeletionProtection"], database["MultiAZ"]) == (True, True)

    # when alice decommissions it and the platform team approves
    destroy = actions.decommission_environment(actor=alice, environment=environment, confirm_name=environment.name)
    destroy = approve_everything(destroy, reviewers)

    # then the portal lifted the protection only then, and the database is gone
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DECOMMISSIONED
    assert not _exists(lambda: aws("rds").describe_db_instances(DBInstanceIdentifier=name))
    apply_log = destroy.runs.get(kind=RunKind.APPLY).log
    assert "lift the deletion protection of module.pattern.aws_db_instance.this" in apply_log
