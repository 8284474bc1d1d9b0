"""Acceptance: the shipped data patterns (postgres-database, data-warehouse) run end to end
through terraform against the sandbox cloud exactly as the portal runs them: the root module
and tfvars come from provisioning.terraform.workspace (sandbox_endpoint = the moto server), the
variables are name, tier, tags and each parameter's default from the pattern's pattern.yaml.
Plan, apply, re-plan (no changes), destroy; in the dev tier (no final snapshot) and in prod
(final snapshot on destroy).
"""

import json
from pathlib import Path

import pytest

from provisioning.terraform.workspace import DECOMMISSIONING_TFVARS

from .helpers import folded_output, no_changes, pattern_workspace, planned, tags_of

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"


def portal_tags(slug: str, name: str, tier: str) -> dict[str, str]:
    """What the portal puts in the provider's default_tags and in the `tags` variable."""
    return {
        "team": "analytics",
        "project": "acceptance",
        "cost-centre": "CC-2002",
        "environment": tier,
        "managed-by": "idp-portal",
        "idp:environment": name,
        "pattern": f"{slug}@1.0.0",
    }


def run_workspace(tmp_path: Path, terraform_env: dict, endpoint: str, slug: str, name: str, tier: str):
    return pattern_workspace(tmp_path, terraform_env, endpoint, slug, name, tier, portal_tags(slug, name, tier))


def check_flow_logs(aws, name: str, key_arn: str) -> str:
    """The VPC's flow logs (all traffic) go to a bucket of their own, encrypted with ``key_arn``; its name."""
    logs = aws("ec2").describe_flow_logs(Filters=[{"Name": "tag:Name", "Values": [f"{name}-flow-logs"]}])["FlowLogs"]
    assert [(f["TrafficType"], f["LogDestinationType"]) for f in logs] == [("ALL", "s3")]
    bucket = logs[0]["LogDestination"].split(":::", 1)[1]
    rule = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} >= {"LogDeliveryWritesFlowLogs", "RefusePlainHttp"}
    return bucket


def creates_only(plan: dict) -> set[str]:
    assert {tuple(c["change"]["actions"]) for c in plan["resource_changes"]} <= {("create",), ("read",)}
    return {c["address"] for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]}


@pytest.mark.parametrize("tier", ["dev", "prod"])
def test_postgres_database_pattern_end_to_end(tier, tmp_path, terraform_env, moto_endpoint, aws):
    name = f"acc-pg-{tier}"
    tf, spec, defaults = run_workspace(tmp_path, terraform_env, moto_endpoint, "postgres-database", name, tier)
    rds, secrets = aws("rds"), aws("secretsmanager")

    plan = tf.plan_json()

    assert creates_only(plan) == {
        "module.pattern.aws_vpc.this",
        "module.pattern.aws_default_security_group.this",
        "module.pattern.aws_subnet.private[0]",
        "module.pattern.aws_subnet.private[1]",
        "module.pattern.aws_security_group.database",
        "module.pattern.aws_db_subnet_group.this",
        "module.pattern.aws_db_parameter_group.this",
        "module.pattern.aws_db_instance.this",
        "module.pattern.aws_kms_key.alarms",
        "module.pattern.aws_sns_topic.alarms",
        "module.pattern.aws_sns_topic_policy.alarms",
        "module.pattern.aws_cloudwatch_metric_alarm.cpu",
        "module.pattern.aws_cloudwatch_metric_alarm.free_storage",
        "module.pattern.aws_cloudwatch_metric_alarm.connections",
        "module.pattern.aws_s3_bucket.flow_logs",
        "module.pattern.aws_s3_bucket_server_side_encryption_configuration.flow_logs",
        "module.pattern.aws_s3_bucket_public_access_block.flow_logs",
        "module.pattern.aws_s3_bucket_versioning.flow_logs",
        "module.pattern.aws_s3_bucket_lifecycle_configuration.flow_logs",
        "module.pattern.aws_s3_bucket_policy.flow_logs",
        "module.pattern.aws_flow_log.this",
        'module.pattern.aws_cloudwatch_log_group.database["postgresql"]',
        'module.pattern.aws_cloudwatch_log_group.database["upgrade"]',
    }
    db = planned(plan, "module.pattern.aws_db_instance.this")
    assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert db["performance_insights_enabled"] is True and db["performance_insights_retention_period"] == 7
    assert (db["storage_encrypted"], db["publicly_accessible"], db["multi_az"]) == (True, False, False)
    assert (db["instance_class"], db["allocated_storage"], db["storage_type"]) == (
        defaults["instance_class"],
        defaults["allocated_storage_gb"],
        "gp3",
    )
    assert db["tags_all"] == {**spec.default_tags, "Name": name}
    assert db["skip_final_snapshot"] is (tier != "prod")
    assert db["deletion_protection"] is (tier == "prod")

    tf.apply_saved_plan()
    outputs = tf.outputs()
    instance = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    assert (instance["Engine"], instance["EngineVersion"]) == ("postgres", defaults["engine_version"])
    assert instance["StorageEncrypted"] is True and instance["PubliclyAccessible"] is False
    assert instance["BackupRetentionPeriod"] == defaults["backup_retention_days"]
    assert instance["IAMDatabaseAuthenticationEnabled"] is True and instance["AutoMinorVersionUpgrade"] is True
    assert instance["CopyTagsToSnapshot"] is True
    assert instance["DeletionProtection"] is (tier == "prod")
    # TLS required: the instance uses a parameter group of its family with rds.force_ssl = 1
    group = instance["DBParameterGroups"][0]["DBParameterGroupName"]
    assert group.startswith(f"{name}-")
    family = rds.describe_db_parameter_groups(DBParameterGroupName=group)["DBParameterGroups"][0]
    assert family["DBParameterGroupFamily"] == f"postgres{defaults['engine_version']}"
    values = {
        p["ParameterName"]: p["ParameterValue"]
        for p in rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    }
    assert values["rds.force_ssl"] == "1"
    assert tags_of(instance["TagList"]) == {**spec.default_tags, "Name": name}
    assert outputs["endpoint"] == f"{instance['Endpoint']['Address']}:5432"
    assert secrets.describe_secret(SecretId=outputs["master_secret_arn"])["ARN"] == outputs["master_secret_arn"]
    alarms = {a["MetricName"]: a for a in aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"{name}-")["MetricAlarms"]}
    assert sorted(a["AlarmName"] for a in alarms.values()) == sorted(outputs["alarms"])
    assert set(alarms) == {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"}
    assert all(a["AlarmActions"] == [outputs["alarm_topic_arn"]] for a in alarms.values())
    assert all(a["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": name}] for a in alarms.values())
    assert alarms["CPUUtilization"]["Threshold"] == (80.0 if tier == "prod" else 90.0)
    assert alarms["FreeStorageSpace"]["Threshold"] == defaults["allocated_storage_gb"] * 0.1 * 1024**3
    topic = aws("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"].startswith("arn:aws:kms:")  # a key CloudWatch may use, not alias/aws/sns
    flow_bucket = check_flow_logs(aws, name, topic["KmsMasterKeyId"])
    # compliance logging: both logs exported, to groups encrypted with the key and kept per tier
    assert sorted(instance["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{name}/")["logGroups"]
    assert {g["logGroupName"].rsplit("/", 1)[1]: g["retentionInDays"] for g in groups} == {
        "postgresql": 400 if tier == "prod" else 30,
        "upgrade": 400 if tier == "prod" else 30,
    }
    assert {g["kmsKeyId"] for g in groups} == {topic["KmsMasterKeyId"]}
    no_changes(tf)
    if tier == "prod":
        # AWS refuses to delete the protected database; the portal's decommission lifts the protection
        # first with the module's `decommissioning` variable, as here.
        refused = tf.run("destroy", "-input=false", "-auto-approve", check=False)
        assert refused.returncode == 1 and "Cannot delete protected DB Instance" in folded_output(refused)
        assert rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
        address = "module.pattern.aws_db_instance.this"
        tf.run("apply", "-input=false", "-auto-approve", f"-target={address}", f"-var-file={DECOMMISSIONING_TFVARS}")
        assert rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DeletionProtection"] is False

    tf.run("destroy", "-input=false", "-auto-approve")

    assert name not in {d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]}
    assert name not in {g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]}
    assert group not in {g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]}
    snapshots = {s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]}
    assert (f"{name}-final" in snapshots) is (tier == "prod")
    assert outputs["master_secret_arn"] not in {s["ARN"] for s in secrets.list_secrets()["SecretList"]}
    assert aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"{name}-")["MetricAlarms"] == []
    assert flow_bucket not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{name}/")["logGroups"] == []


@pytest.mark.parametrize("tier", ["dev", "prod"])
def test_data_warehouse_pattern_end_to_end(tier, tmp_path, terraform_env, moto_endpoint, aws):
    name = f"acc-dw-{tier}"
    tf, spec, defaults = run_workspace(tmp_path, terraform_env, moto_endpoint, "data-warehouse", name, tier)
    redshift, kms, s3, secrets = aws("redshift"), aws("kms"), aws("s3"), aws("secretsmanager")

    plan = tf.plan_json()

    assert creates_only(plan) == {
        "module.pattern.aws_vpc.this",
        "module.pattern.aws_default_security_group.this",
        "module.pattern.aws_subnet.private[0]",
        "module.pattern.aws_subnet.private[1]",
        "module.pattern.aws_security_group.warehouse",
        "module.pattern.aws_kms_key.this",
        "module.pattern.aws_s3_bucket.data",
        "module.pattern.aws_s3_bucket_server_side_encryption_configuration.data",
        "module.pattern.aws_s3_bucket_public_access_block.data",
        "module.pattern.aws_s3_bucket_versioning.data",
        "module.pattern.aws_redshift_subnet_group.this",
        "module.pattern.aws_redshift_cluster.this",
        "module.pattern.aws_sns_topic.alarms",
        "module.pattern.aws_sns_topic_policy.alarms",
        "module.pattern.aws_cloudwatch_metric_alarm.cpu",
        "module.pattern.aws_cloudwatch_metric_alarm.disk_used",
        "module.pattern.aws_cloudwatch_metric_alarm.health",
        "module.pattern.aws_s3_bucket.flow_logs",
        "module.pattern.aws_s3_bucket_server_side_encryption_configuration.flow_logs",
        "module.pattern.aws_s3_bucket_public_access_block.flow_logs",
        "module.pattern.aws_s3_bucket_versioning.flow_logs",
        "module.pattern.aws_s3_bucket_lifecycle_configuration.flow_logs",
        "module.pattern.aws_s3_bucket_policy.flow_logs",
        "module.pattern.aws_flow_log.this",
        'module.pattern.aws_cloudwatch_log_group.audit["connectionlog"]',
        'module.pattern.aws_cloudwatch_log_group.audit["userlog"]',
        "module.pattern.aws_redshift_logging.this",
        "module.pattern.aws_s3_bucket.access_logs",
        "module.pattern.aws_s3_bucket_server_side_encryption_configuration.access_logs",
        "module.pattern.aws_s3_bucket_public_access_block.access_logs",
        "module.pattern.aws_s3_bucket_versioning.access_logs",
        "module.pattern.aws_s3_bucket_lifecycle_configuration.access_logs",
        "module.pattern.aws_s3_bucket_policy.access_logs",
        "module.pattern.aws_s3_bucket_logging.data",
        "module.pattern.aws_vpc_endpoint.s3",
    }
    cluster = planned(plan, "module.pattern.aws_redshift_cluster.this")
    assert (cluster["encrypted"], cluster["publicly_accessible"]) == (True, False)
    assert (cluster["node_type"], cluster["number_of_nodes"], cluster["cluster_type"]) == (
        defaults["node_type"],
        defaults["number_of_nodes"],
        "single-node",
    )
    assert cluster["tags_all"] == {**spec.default_tags, "Name": name}
    key = planned(plan, "module.pattern.aws_kms_key.this")
    assert (key["enable_key_rotation"], key["deletion_window_in_days"]) == (True, 7)

    tf.apply_saved_plan()
    outputs = tf.outputs()
    found = redshift.describe_clusters(ClusterIdentifier=name)["Clusters"][0]
    assert (found["Encrypted"], found["KmsKeyId"], found["PubliclyAccessible"]) == (True, outputs["kms_key_arn"], False)
    assert (found["DBName"], found["ClusterSubnetGroupName"]) == (defaults["database_name"], name)
    # COPY and UNLOAD stay in the VPC: enhanced routing through an S3 endpoint that admits the data bucket only
    assert found["EnhancedVpcRouting"] is True
    [endpoint] = aws("ec2").describe_vpc_endpoints(
        Filters=[
            {
                "Name": "vpc-id",
                "Values": [
                    aws("redshift").describe_cluster_subnet_groups(ClusterSubnetGroupName=name)["ClusterSubnetGroups"][
                        0
                    ]["VpcId"]
                ],
            }
        ]
    )["VpcEndpoints"]
    bucket_arn = f"arn:aws:s3:::{outputs['data_bucket']}"
    assert json.loads(endpoint["PolicyDocument"])["Statement"][0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert tags_of(found["Tags"]) == {**spec.default_tags, "Name": name}
    assert outputs["warehouse_endpoint"] == f"{found['Endpoint']['Address']}:5439"
    secret = secrets.describe_secret(SecretId=f"redshift!{name}-warehouse_admin")
    key_id = outputs["kms_key_arn"].rsplit("/", 1)[1]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    rule = s3.get_bucket_encryption(Bucket=outputs["data_bucket"])["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == outputs["kms_key_arn"]
    alarms = {
        a["MetricName"]: a for a in aws("cloudwatch").describe_alarms(AlarmNames=outputs["alarms"])["MetricAlarms"]
    }
    assert set(alarms) == {"CPUUtilization", "PercentageDiskSpaceUsed", "HealthStatus"}
    assert all(a["AlarmActions"] == [outputs["alarm_topic_arn"]] for a in alarms.values())
    assert all(a["Dimensions"] == [{"Name": "ClusterIdentifier", "Value": name}] for a in alarms.values())
    assert alarms["CPUUtilization"]["Threshold"] == (80.0 if tier == "prod" else 90.0)
    topic = aws("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == outputs["kms_key_arn"]  # the warehouse's key, which lets CloudWatch publish
    key_policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert {"Service": "cloudwatch.amazonaws.com"} in [s["Principal"] for s in key_policy["Statement"]]
    assert {"Service": "delivery.logs.amazonaws.com"} in [s["Principal"] for s in key_policy["Statement"]]
    check_flow_logs(aws, name, outputs["kms_key_arn"])
    # audit logs: connections and users, to groups under the warehouse's key, kept like the flow logs
    logging = redshift.describe_logging_status(ClusterIdentifier=name)
    assert (logging["LoggingEnabled"], logging["LogDestinationType"]) == (True, "cloudwatch")
    assert sorted(logging["LogExports"]) == ["connectionlog", "userlog"]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/redshift/cluster/{name}/")["logGroups"]
    assert sorted(g["logGroupName"].rsplit("/", 1)[1] for g in groups) == ["connectionlog", "userlog"]
    assert {(g["kmsKeyId"], g["retentionInDays"]) for g in groups} == {
        (outputs["kms_key_arn"], 400 if tier == "prod" else 30)
    }
    # who read and wrote what in the data bucket: access logs in a bucket of their own
    access = s3.get_bucket_logging(Bucket=outputs["data_bucket"])["LoggingEnabled"]
    assert access["TargetPrefix"] == "data/" and access["TargetBucket"].startswith(f"{name}-access-logs-")
    statements = json.loads(s3.get_bucket_policy(Bucket=access["TargetBucket"])["Policy"])["Statement"]
    assert [st["Principal"] for st in statements if st["Effect"] == "Allow"] == [
        {"Service": "logging.s3.amazonaws.com"}
    ]
    no_changes(tf)
    tf.run("destroy", "-input=false", "-auto-approve")

    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/redshift/cluster/{name}/")["logGroups"] == []
    assert access["TargetBucket"] not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert name not in {c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]}
    subnet_groups = redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]
    assert name not in {g["ClusterSubnetGroupName"] for g in subnet_groups}
    snapshots = {s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]}
    assert (f"{name}-final" in snapshots) is (tier == "prod")
    assert secret["ARN"] not in {s["ARN"] for s in secrets.list_secrets()["SecretList"]}
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert outputs["data_bucket"] not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
