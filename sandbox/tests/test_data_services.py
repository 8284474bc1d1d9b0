"""The data-service resources (RDS, Redshift, KMS, CloudWatch Logs) driven through the real
terraform binary against a real moto server: plan JSON shape, apply, in-place updates,
replacement, drift and destroy. The tests run in file order and share one apply (they are
steps of one story); the plan-only checks at the end use their own configurations.
"""

import json
from pathlib import Path

import pytest

from .conftest import Terraform, free_port
from .helpers import actions, apply_stack, change, folded_output, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

CONFIG_DIR = Path(__file__).parent / "data_services"
NAME = "sbx-data"
RENAMED = "sbx-data-renamed"
DEFAULT_TAGS = {"idp:environment": "data-test", "idp:team": "platform"}
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, CONFIG_DIR)


def write_vars(stack, **values) -> None:
    stack.vars.update(values)
    stack.tf.write_vars(endpoint=stack.endpoint, **stack.vars)


def test_plan_shows_the_attributes_policies_and_cost_rules_read(stack):
    db = resource(stack.plan, "aws_db_instance.this")["values"]
    db_change = change(stack.plan, "aws_db_instance.this")
    warehouse = resource(stack.plan, "aws_redshift_cluster.this")["values"]
    warehouse_change = change(stack.plan, "aws_redshift_cluster.this")
    logs = resource(stack.plan, "aws_cloudwatch_log_group.app")["values"]
    key = resource(stack.plan, "aws_kms_key.data")["values"]

    assert (db["engine"], db["instance_class"], db["allocated_storage"], db["storage_type"]) == (
        "postgres",
        "db.t3.micro",
        20,
        "gp3",
    )
    assert (db["storage_encrypted"], db["publicly_accessible"], db["multi_az"]) == (True, False, False)
    assert db["tags_all"] == {**DEFAULT_TAGS, "Name": NAME, "Owner": "team-a"}
    assert db["skip_final_snapshot"] is True and db["final_snapshot_identifier"] is None
    assert all(db_change["after_unknown"][a] for a in ("kms_key_id", "endpoint", "master_user_secret", "id"))
    assert db_change["after_sensitive"]["password"] is True

    assert (warehouse["encrypted"], warehouse["publicly_accessible"]) == (True, False)
    assert (warehouse["node_type"], warehouse["number_of_nodes"], warehouse["cluster_type"]) == (
        "dc2.large",
        1,
        "single-node",
    )
    assert warehouse["port"] == 5439
    assert warehouse["tags_all"] == {**DEFAULT_TAGS, "Name": NAME}
    assert warehouse_change["after_unknown"]["kms_key_id"] is True  # the key's ARN is known after apply
    assert warehouse_change["after_unknown"]["master_password_secret_arn"] is True

    assert logs["retention_in_days"] == 14
    assert change(stack.plan, "aws_cloudwatch_log_group.app")["after_unknown"]["kms_key_id"] is True
    assert logs["tags_all"] == {**DEFAULT_TAGS, "Name": NAME}

    assert (key["enable_key_rotation"], key["is_enabled"], key["deletion_window_in_days"]) == (True, True, 7)
    assert (key["key_usage"], key["customer_master_key_spec"]) == ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
    assert json.loads(key["policy"])["Statement"][0]["Sid"] == "AccountAdministers"
    assert resource(stack.plan, "aws_db_subnet_group.this")["values"]["description"] == "Managed by Terraform"


def test_apply_creates_private_encrypted_tagged_data_services(stack, aws):
    rds, redshift, kms, logs, secrets = map(aws, ("rds", "redshift", "kms", "logs", "secretsmanager"))
    key_arn = stack.outputs["key_arn"]

    db = rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]
    assert db["StorageEncrypted"] is True
    assert db["KmsKeyId"] == kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]  # RDS's default key
    assert db["PubliclyAccessible"] is False
    assert (db["DBInstanceClass"], db["AllocatedStorage"], db["StorageType"]) == ("db.t3.micro", 20, "gp3")
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == NAME
    assert tags_of(db["TagList"]) == {**DEFAULT_TAGS, "Name": NAME, "Owner": "team-a"}
    assert stack.outputs["db_endpoint"] == f"{db['Endpoint']['Address']}:5432"
    assert stack.outputs["db_secret_arn"] == db["MasterUserSecret"]["SecretArn"]
    assert secrets.describe_secret(SecretId=stack.outputs["db_secret_arn"])["ARN"] == stack.outputs["db_secret_arn"]
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=NAME)["DBSubnetGroups"][0]
    assert len(group["Subnets"]) == 2
    assert tags_of(rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"])["Name"] == NAME

    cluster = redshift.describe_clusters(ClusterIdentifier=NAME)["Clusters"][0]
    assert (cluster["Encrypted"], cluster["KmsKeyId"], cluster["PubliclyAccessible"]) == (True, key_arn, False)
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["DBName"]) == ("dc2.large", 1, "analytics")
    assert cluster["ClusterSubnetGroupName"] == NAME
    assert tags_of(cluster["Tags"]) == {**DEFAULT_TAGS, "Name": NAME}
    secret = secrets.describe_secret(SecretId=stack.outputs["warehouse_secret_arn"])
    assert secret["Name"] == f"redshift!{NAME}-warehouse_admin"
    assert json.loads(secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"])["username"] == "warehouse_admin"
    assert stack.outputs["warehouse_endpoint"] == f"{cluster['Endpoint']['Address']}:5439"

    metadata = kms.describe_key(KeyId=stack.outputs["key_id"])["KeyMetadata"]
    assert (metadata["Arn"], metadata["Enabled"], metadata["Description"]) == (key_arn, True, "sandbox data key")
    assert kms.get_key_rotation_status(KeyId=metadata["KeyId"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=metadata["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    key_tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=metadata["KeyId"])["Tags"]}
    assert key_tags == {**DEFAULT_TAGS, "Name": NAME}
    aliases = kms.list_aliases(KeyId=metadata["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == [f"alias/{NAME}"]

    group = logs.describe_log_groups(logGroupNamePrefix=f"/idp/{NAME}/app")["logGroups"][0]
    assert (group["retentionInDays"], group["kmsKeyId"]) == (14, key_arn)
    arn = group["arn"].removesuffix(":*")
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {**DEFAULT_TAGS, "Name": NAME}


def test_plan_right_after_apply_has_no_changes(stack):
    no_changes(stack.tf)


def test_sizes_nodes_retention_and_description_change_in_place(stack, aws):
    write_vars(
        stack,
        instance_class="db.t3.small",
        allocated_storage=30,
        number_of_nodes=2,
        retention_in_days=30,
        key_description="sandbox data key v2",
    )

    plan = stack.tf.plan_json()

    assert actions(plan) == {
        "aws_db_instance.this": ["update"],
        "aws_redshift_cluster.this": ["update"],
        "aws_cloudwatch_log_group.app": ["update"],
        "aws_kms_key.data": ["update"],
    }
    assert resource(plan, "aws_redshift_cluster.this")["values"]["cluster_type"] == "multi-node"
    stack.tf.apply_saved_plan()
    db = aws("rds").describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]
    assert (db["DBInstanceClass"], db["AllocatedStorage"]) == ("db.t3.small", 30)
    cluster = aws("redshift").describe_clusters(ClusterIdentifier=NAME)["Clusters"][0]
    assert cluster["NumberOfNodes"] == 2
    group = aws("logs").describe_log_groups(logGroupNamePrefix=f"/idp/{NAME}/app")["logGroups"][0]
    assert group["retentionInDays"] == 30
    description = aws("kms").describe_key(KeyId=stack.outputs["key_id"])["KeyMetadata"]["Description"]
    assert description == "sandbox data key v2"
    no_changes(stack.tf)


def test_changing_the_database_name_replaces_the_instance(stack, aws):
    write_vars(stack, db_name="app2")

    plan = stack.tf.plan_json()

    assert actions(plan) == {"aws_db_instance.this": ["delete", "create"]}
    assert ["db_name"] in change(plan, "aws_db_instance.this")["replace_paths"]
    stack.tf.apply_saved_plan()
    db = aws("rds").describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]
    assert db["DBName"] == "app2"
    assert db["StorageEncrypted"] is True
    no_changes(stack.tf)


def test_out_of_band_changes_are_detected_as_drift(stack, aws):
    rds, redshift, logs, kms = aws("rds"), aws("redshift"), aws("logs"), aws("kms")
    rds.modify_db_instance(
        DBInstanceIdentifier=NAME, DBInstanceClass="db.r6g.xlarge", PubliclyAccessible=True, ApplyImmediately=True
    )
    redshift.modify_cluster(ClusterIdentifier=NAME, PubliclyAccessible=True)
    redshift.delete_tags(ResourceName=f"arn:aws:redshift:eu-west-1:{ACCOUNT}:cluster:{NAME}", TagKeys=["Name"])
    logs.delete_log_group(logGroupName=f"/idp/{NAME}/app")
    kms.disable_key_rotation(KeyId=stack.outputs["key_id"])
    kms.put_key_policy(
        KeyId=stack.outputs["key_id"],
        PolicyName="default",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
                ],
            }
        ),
    )

    plan = stack.tf.plan_json()

    assert actions(plan) == {
        "aws_db_instance.this": ["update"],
        "aws_redshift_cluster.this": ["update"],
        "aws_cloudwatch_log_group.app": ["create"],
        "aws_kms_key.data": ["update"],
    }
    db_change = change(plan, "aws_db_instance.this")
    assert (db_change["before"]["instance_class"], db_change["after"]["instance_class"]) == (
        "db.r6g.xlarge",
        "db.t3.small",
    )
    assert (db_change["before"]["publicly_accessible"], db_change["after"]["publicly_accessible"]) == (True, False)
    warehouse_change = change(plan, "aws_redshift_cluster.this")
    assert warehouse_change["before"]["publicly_accessible"] is True
    assert "Name" not in warehouse_change["before"]["tags_all"]
    key_change = change(plan, "aws_kms_key.data")
    assert key_change["before"]["enable_key_rotation"] is False
    assert json.loads(key_change["before"]["policy"])["Statement"][0]["Sid"] == "Open"
    stack.tf.apply_saved_plan()
    assert rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]["PubliclyAccessible"] is False
    assert redshift.describe_clusters(ClusterIdentifier=NAME)["Clusters"][0]["PubliclyAccessible"] is False
    assert kms.get_key_rotation_status(KeyId=stack.outputs["key_id"])["KeyRotationEnabled"] is True
    assert logs.describe_log_groups(logGroupNamePrefix=f"/idp/{NAME}/app")["logGroups"]
    no_changes(stack.tf)


def test_renaming_the_instance_changes_it_in_place_as_in_provider_v5(stack, aws):
    rds = aws("rds")
    write_vars(stack, db_identifier=RENAMED)

    plan = stack.tf.plan_json()

    assert actions(plan) == {"aws_db_instance.this": ["update"]}
    unknown = change(plan, "aws_db_instance.this")["after_unknown"]
    assert unknown["endpoint"] is True and unknown["address"] is True and unknown["arn"] is True
    stack.tf.apply_saved_plan()
    identifiers = {d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]}
    assert RENAMED in identifiers and NAME not in identifiers
    db = rds.describe_db_instances(DBInstanceIdentifier=RENAMED)["DBInstances"][0]
    assert tags_of(db["TagList"])["Owner"] == "team-a"
    assert stack.tf.outputs()["db_endpoint"] == f"{db['Endpoint']['Address']}:5432"
    no_changes(stack.tf)


def test_destroy_removes_everything_and_schedules_the_key_deletion(stack, aws):
    rds, redshift, kms, logs, secrets = map(aws, ("rds", "redshift", "kms", "logs", "secretsmanager"))

    stack.tf.run("destroy", "-input=false", "-auto-approve")

    assert not {NAME, RENAMED} & {d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]}
    assert NAME not in {g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]}
    assert NAME not in {c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]}
    subnet_groups = redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]
    assert NAME not in {g["ClusterSubnetGroupName"] for g in subnet_groups}
    assert not logs.describe_log_groups(logGroupNamePrefix=f"/idp/{NAME}/")["logGroups"]
    assert kms.describe_key(KeyId=stack.outputs["key_id"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert f"alias/{NAME}" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    names = {s["Name"] for s in secrets.list_secrets()["SecretList"]}
    assert f"redshift!{NAME}-warehouse_admin" not in names
    assert not any(n.startswith("rds!") for n in names)


# -- plan-only checks ---------------------------------------------------------------------------

PROVIDER = """
provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  endpoints {
    rds      = "%(endpoint)s"
    redshift = "%(endpoint)s"
    kms      = "%(endpoint)s"
    logs     = "%(endpoint)s"
  }
}
"""

MINIMAL = """
resource "aws_db_instance" "minimal" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "admin_user"
  password          = "a-long-password"
}

resource "aws_redshift_cluster" "minimal" {
  cluster_identifier = "minimal"
  node_type          = "dc2.large"
  master_username    = "admin_user"
  master_password    = "Passw0rdPassw0rd"
}

resource "aws_kms_key" "minimal" {}

resource "aws_cloudwatch_log_group" "minimal" {
  name = "minimal"
}
"""


def plan_only(tmp_path, terraform_env, endpoint: str, body: str) -> tuple[Terraform, dict | None, str]:
    (tmp_path / "main.tf").write_text(PROVIDER % {"endpoint": endpoint} + body)
    tf = Terraform(tmp_path, terraform_env)
    tf.run("init", "-input=false")
    result = tf.run("plan", "-input=false", "-out=tfplan", check=False)
    output = folded_output(result)
    if result.returncode != 0:
        return tf, None, output
    return tf, json.loads(tf.run("show", "-json", "tfplan").stdout), output


def test_left_out_arguments_plan_the_v5_defaults(tmp_path, terraform_env, moto_endpoint):
    _, plan, output = plan_only(tmp_path, terraform_env, moto_endpoint, MINIMAL)

    assert plan is not None, output
    db = resource(plan, "aws_db_instance.minimal")["values"]
    assert (db["publicly_accessible"], db["storage_encrypted"], db["skip_final_snapshot"]) == (False, None, False)
    assert (db["apply_immediately"], db["deletion_protection"], db["monitoring_interval"]) == (False, None, 0)
    assert change(plan, "aws_db_instance.minimal")["after_unknown"]["kms_key_id"] is True
    warehouse = resource(plan, "aws_redshift_cluster.minimal")["values"]
    # v5 defaults that the no-public-data-stores and encryption policies must catch
    assert (warehouse["publicly_accessible"], warehouse["encrypted"]) == (True, False)
    assert (warehouse["number_of_nodes"], warehouse["port"], warehouse["skip_final_snapshot"]) == (1, 5439, False)
    assert change(plan, "aws_redshift_cluster.minimal")["after_sensitive"]["master_password"] is True
    key = resource(plan, "aws_kms_key.minimal")["values"]
    assert (key["enable_key_rotation"], key["is_enabled"], key["deletion_window_in_days"]) == (False, True, None)
    assert change(plan, "aws_kms_key.minimal")["after_unknown"]["policy"] is True
    logs = resource(plan, "aws_cloudwatch_log_group.minimal")["values"]
    assert (logs["retention_in_days"], logs["skip_destroy"], logs["kms_key_id"]) == (0, False, None)


def test_conflicting_arguments_are_refused_at_plan(tmp_path, terraform_env, moto_endpoint):
    body = MINIMAL.replace(
        'password          = "a-long-password"', 'password = "x"\n  manage_master_user_password = true'
    )

    _, plan, output = plan_only(tmp_path, terraform_env, moto_endpoint, body)

    assert plan is None
    assert '"password": conflicts with manage_master_user_password' in output
    assert "Traceback" not in output


def test_a_stopped_sandbox_cloud_gives_the_clear_diagnostic(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    _, plan, output = plan_only(tmp_path, terraform_env, endpoint, MINIMAL)

    assert plan is None
    assert f"cannot reach the AWS API at {endpoint} — is the sandbox cloud (moto server) running?" in output
    assert "Traceback" not in output
