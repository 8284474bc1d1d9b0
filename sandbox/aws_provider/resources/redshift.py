"""Redshift: aws_redshift_subnet_group and aws_redshift_cluster (Redshift API).

Schemas follow internal/service/redshift/subnet_group.go and cluster.go (v5), including v5's
defaults that policies care about: ``encrypted`` defaults to false and ``publicly_accessible``
to TRUE (v6 flipped both), ``number_of_nodes`` to 1, ``port`` to 5439. ``cluster_identifier``,
``master_username`` and ``cluster_subnet_group_name`` force a new cluster; node type, node
count, encryption and public access change in place (ModifyCluster).

moto 5.2.5 ignores ``manage_master_password`` and reports no ClusterNamespaceArn. The sandbox
therefore keeps the managed master password itself, in a Secrets Manager secret named like
Redshift's own (``redshift!<cluster>-<user>``), created with the cluster and deleted with it,
and derives a stable namespace ARN from the cluster. moto has no ModifyClusterSubnetGroup:
a subnet group update is done by re-creating the group under the same name.
"""

import json
import secrets
import string
import uuid
from typing import Any

from ..base import (
    AwsResource,
    ResourceContext,
    describe_one,
    dict_to_tag_list,
    ignore_codes,
    known,
    retry_while_busy,
    tag_list_to_dict,
    wait_for,
    wait_gone,
)
from ..errors import ProviderError, client_error_code
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Number, Set, String, Unknown
from ._data_common import (
    aws_managed_key_arn,
    changed,
    conflicting,
    fill_unset,
    final_snapshot_args,
    modified_args,
    sibling_client,
    update_tags_by_name,
)

_CLUSTER_NOT_FOUND = ("ClusterNotFound", "ClusterNotFoundFault")
_SUBNET_GROUP_NOT_FOUND = ("ClusterSubnetGroupNotFoundFault", "ClusterSubnetGroupNotFound")
_SECRET_NOT_FOUND = ("ResourceNotFoundException",)


def _tags_update(resource: AwsResource, arn: str, prior: dict, planned: dict) -> None:
    update_tags_by_name(resource, arn, prior, planned, remove="delete_tags", add="create_tags")


# -- aws_redshift_subnet_group ----------------------------------------------------------------------


class RedshiftSubnetGroup(AwsResource):
    type_name = "aws_redshift_subnet_group"
    service = "redshift"
    schema = resource_schema(
        computed("arn", String()),
        optional("description", String(), default="Managed by Terraform"),
        required("name", String(), force_new=True),
        required("subnet_ids", Set(String())),
        *tags_attributes(),
    )

    def _find(self, name: str) -> dict:
        return describe_one(
            self.client,
            "describe_cluster_subnet_groups",
            "ClusterSubnetGroups",
            _SUBNET_GROUP_NOT_FOUND,
            match=lambda g: g["ClusterSubnetGroupName"] == name,
            ClusterSubnetGroupName=name,
        )

    def _create(self, name: str, description: str, subnet_ids: list[str], tags: dict | None) -> None:
        self.client.create_cluster_subnet_group(
            ClusterSubnetGroupName=name,
            Description=description,
            SubnetIds=subnet_ids,
            Tags=dict_to_tag_list(tags),
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned["name"]
        self._create(name, planned["description"], list(planned["subnet_ids"]), planned["tags_all"])
        state = {**planned, "id": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        group = self._find(name)
        state = dict(current)
        state.update(
            id=name,
            name=name,
            arn=self.arn("redshift", f"subnetgroup:{name}"),
            description=group.get("Description", ""),
            subnet_ids=[s["SubnetIdentifier"] for s in group.get("Subnets", [])],
        )
        return self.set_tags_from_aws(state, tag_list_to_dict(group.get("Tags")))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        from botocore.exceptions import ClientError

        name = prior["id"]
        if changed(prior, planned, "description", "subnet_ids"):
            try:
                self.client.modify_cluster_subnet_group(
                    ClusterSubnetGroupName=name,
                    Description=planned["description"],
                    SubnetIds=list(planned["subnet_ids"]),
                )
            except ClientError as exc:
                if client_error_code(exc) not in ("500", "InternalFailure", "NotImplemented"):
                    raise
                # moto 5.2.5 has no ModifyClusterSubnetGroup: re-create the group under its name
                # (clusters refer to it by name). Tags are set below.
                self.client.delete_cluster_subnet_group(ClusterSubnetGroupName=name)
                self._create(name, planned["description"], list(planned["subnet_ids"]), planned["tags_all"])
        _tags_update(self, self.arn("redshift", f"subnetgroup:{name}"), prior, planned)
        return self.read(ctx, {**planned, "id": name})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        retry_while_busy(
            lambda: self.client.delete_cluster_subnet_group(ClusterSubnetGroupName=name),
            busy=("InvalidClusterSubnetGroupStateFault", "InvalidClusterSubnetGroupState"),
            gone=_SUBNET_GROUP_NOT_FOUND,
            what=f"Redshift subnet group {name} to be unused",
        )
        wait_gone(lambda: self._find(name), what=f"Redshift subnet group {name} to be deleted")


# -- aws_redshift_cluster ---------------------------------------------------------------------------


def managed_secret_name(cluster_identifier: str, master_username: str) -> str:
    return f"redshift!{cluster_identifier}-{master_username}"


def _random_password() -> str:
    alphabet = string.ascii_letters + string.digits + "!#$%^&*()-_=+"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(32))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


class RedshiftCluster(AwsResource):
    type_name = "aws_redshift_cluster"
    service = "redshift"
    schema = resource_schema(
        optional("allow_version_upgrade", Bool(), default=True),
        optional("apply_immediately", Bool(), default=False),
        computed("arn", String()),
        optional("automated_snapshot_retention_period", Number(), default=1),
        optional("availability_zone", String(), computed=True),
        optional("availability_zone_relocation_enabled", Bool(), default=False),
        required("cluster_identifier", String(), force_new=True),
        computed("cluster_namespace_arn", String()),
        optional("cluster_parameter_group_name", String(), computed=True),
        optional("cluster_subnet_group_name", String(), computed=True, force_new=True),
        optional("cluster_type", String(), computed=True),
        optional("cluster_version", String(), default="1.0"),
        optional("database_name", String(), computed=True),
        computed("dns_name", String()),
        optional("encrypted", Bool(), default=False),
        optional("endpoint", String(), computed=True),
        optional("enhanced_vpc_routing", Bool(), computed=True),
        optional("final_snapshot_identifier", String()),
        optional("kms_key_id", String(), computed=True),
        optional("maintenance_track_name", String(), default="current"),
        optional("manage_master_password", Bool()),
        optional("manual_snapshot_retention_period", Number(), default=-1),
        optional("master_password", String(), sensitive=True),
        computed("master_password_secret_arn", String()),
        optional("master_password_secret_kms_key_id", String(), computed=True),
        optional("master_username", String(), force_new=True),
        optional("multi_az", Bool(), default=False),
        required("node_type", String()),
        optional("number_of_nodes", Number(), default=1),
        optional("port", Number(), default=5439),
        optional("preferred_maintenance_window", String(), computed=True),
        optional("publicly_accessible", Bool(), default=True),
        optional("skip_final_snapshot", Bool(), default=False),
        *tags_attributes(),
        optional("vpc_security_group_ids", Set(String()), computed=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("master_password", "manage_master_password"))
        if config.get("availability_zone_relocation_enabled") is True and config.get("multi_az") is True:
            diags.add_error("`availability_zone_relocation_enabled` and `multi_az` cannot be both true")

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        if prior is None:
            return planned
        config = ctx.config or {}
        if changed(prior, planned, "manage_master_password"):
            planned["master_password_secret_arn"] = Unknown
        if changed(prior, planned, "number_of_nodes") and not known(config.get("cluster_type")):
            planned["cluster_type"] = Unknown
        if changed(prior, planned, "port"):
            planned["endpoint"] = Unknown
        return planned

    # -- helpers -----------------------------------------------------------------------------------

    def _describe(self, cluster_id: str) -> dict:
        return describe_one(
            self.client, "describe_clusters", "Clusters", _CLUSTER_NOT_FOUND, ClusterIdentifier=cluster_id
        )

    def _wait_available(self, cluster_id: str) -> dict:
        def ready() -> dict | None:
            cluster = self._describe(cluster_id)
            status = cluster.get("ClusterStatus", "")
            if status in ("incompatible-hsm", "incompatible-network", "incompatible-parameters"):
                raise ProviderError(f"Redshift Cluster ({cluster_id}) is in state {status!r}")
            pending = cluster.get("PendingModifiedValues") or {}
            return cluster if status == "available" and not pending else None

        return wait_for(ready, what=f"Redshift Cluster {cluster_id} to be available", timeout=900, interval=0.5)

    def _secrets(self) -> Any:
        return sibling_client(self, "secretsmanager")

    def _find_managed_secret(self, cluster_id: str, username: str) -> dict | None:
        name = managed_secret_name(cluster_id, username)
        return ignore_codes(lambda: self._secrets().describe_secret(SecretId=name), *_SECRET_NOT_FOUND)

    def _create_managed_secret(self, cluster_id: str, username: str, kms_key_id: Any) -> str:
        """What Redshift does for ``manage_master_password`` (moto does not): a secret with the
        admin credentials; the cluster's master password is set to it."""
        from botocore.exceptions import ClientError

        existing = self._find_managed_secret(cluster_id, username)
        if existing is not None and not existing.get("DeletedDate"):
            return existing["ARN"]
        password = _random_password()
        args: dict[str, Any] = {
            "Name": managed_secret_name(cluster_id, username),
            "Description": f"Secret associated with the Redshift cluster {self.arn('redshift', f'cluster:{cluster_id}')}",
            "SecretString": json.dumps({"username": username, "password": password}),
        }
        if known(kms_key_id) and kms_key_id:
            args["KmsKeyId"] = kms_key_id
        else:  # Redshift encrypts the secret with the account's aws/secretsmanager key
            default_key = aws_managed_key_arn(self, "alias/aws/secretsmanager")
            if default_key:
                args["KmsKeyId"] = default_key
        try:
            arn = self._secrets().create_secret(**args)["ARN"]
        except ClientError as exc:
            if client_error_code(exc) != "InvalidRequestException":  # scheduled for deletion: bring it back
                raise
            arn = self._secrets().restore_secret(SecretId=args["Name"])["ARN"]
            self._secrets().put_secret_value(SecretId=arn, SecretString=args["SecretString"])
        self.client.modify_cluster(ClusterIdentifier=cluster_id, MasterUserPassword=password)
        return arn

    def _delete_managed_secret(self, cluster_id: str, username: str) -> None:
        name = managed_secret_name(cluster_id, username)
        ignore_codes(
            lambda: self._secrets().delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True), *_SECRET_NOT_FOUND
        )

    # -- lifecycle ---------------------------------------------------------------------------------

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        cluster_id = planned["cluster_identifier"]
        if not planned["master_password"] and not planned["manage_master_password"]:
            raise ProviderError(
                f'creating Redshift Cluster ({cluster_id}): one of "manage_master_password" or "master_password" '
                "is required"
            )
        if not planned["master_username"]:
            raise ProviderError(
                f'creating Redshift Cluster ({cluster_id}): "master_username": required field is not set'
            )
        nodes = int(planned["number_of_nodes"])
        args: dict[str, Any] = {
            "ClusterIdentifier": cluster_id,
            "NodeType": planned["node_type"],
            "MasterUsername": planned["master_username"],
            "AllowVersionUpgrade": bool(planned["allow_version_upgrade"]),
            "AutomatedSnapshotRetentionPeriod": int(planned["automated_snapshot_retention_period"]),
            "ClusterVersion": planned["cluster_version"],
            "Port": int(planned["port"]),
            "PubliclyAccessible": bool(planned["publicly_accessible"]),
            "Encrypted": bool(planned["encrypted"]),
            "MaintenanceTrackName": planned["maintenance_track_name"],
            "ManualSnapshotRetentionPeriod": int(planned["manual_snapshot_retention_period"]),
            "ClusterType": "multi-node" if nodes > 1 else "single-node",
            "Tags": dict_to_tag_list(planned["tags_all"]),
        }
        if nodes > 1:
            args["NumberOfNodes"] = nodes
        for attr, arg in (
            ("availability_zone", "AvailabilityZone"),
            ("cluster_parameter_group_name", "ClusterParameterGroupName"),
            ("cluster_subnet_group_name", "ClusterSubnetGroupName"),
            ("database_name", "DBName"),
            ("kms_key_id", "KmsKeyId"),
            ("master_password", "MasterUserPassword"),
            ("master_password_secret_kms_key_id", "MasterPasswordSecretKmsKeyId"),
            ("preferred_maintenance_window", "PreferredMaintenanceWindow"),
        ):
            if known(planned[attr]) and planned[attr]:
                args[arg] = planned[attr]
        if known(planned["enhanced_vpc_routing"]):
            args["EnhancedVpcRouting"] = bool(planned["enhanced_vpc_routing"])
        if planned["availability_zone_relocation_enabled"]:
            args["AvailabilityZoneRelocation"] = True
        if planned["multi_az"]:
            args["MultiAZ"] = True
        if planned["manage_master_password"]:
            args["ManageMasterPassword"] = True
        if known(planned["vpc_security_group_ids"]) and planned["vpc_security_group_ids"]:
            args["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        created = self.client.create_cluster(**args)["Cluster"]
        state = {**planned, "id": cluster_id}
        ctx.partial_state = state
        self._wait_available(cluster_id)
        if planned["manage_master_password"] and not created.get("MasterPasswordSecretArn"):
            self._create_managed_secret(
                cluster_id, planned["master_username"], planned["master_password_secret_kms_key_id"]
            )
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        cluster_id = current["id"] or current["cluster_identifier"]
        cluster = self._describe(cluster_id)
        arn = self.arn("redshift", f"cluster:{cluster_id}")
        endpoint = cluster.get("Endpoint") or {}
        address, port = endpoint.get("Address") or "", endpoint.get("Port") or 0
        nodes = cluster.get("NumberOfNodes") or 1
        manage = current["manage_master_password"]
        secret_arn = cluster.get("MasterPasswordSecretArn") or ""
        secret_kms = cluster.get("MasterPasswordSecretKmsKeyId") or ""
        if not secret_arn and manage is not False:
            secret = self._find_managed_secret(cluster_id, cluster.get("MasterUsername", ""))
            if secret is not None and not secret.get("DeletedDate"):
                secret_arn, secret_kms = secret["ARN"], secret.get("KmsKeyId") or secret_kms
        # Stable for one cluster, new for a re-created one (moto reports no namespace).
        namespace_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}@{cluster.get('ClusterCreateTime')}")
        namespace = cluster.get("ClusterNamespaceArn") or self.arn("redshift", f"namespace:{namespace_id}")

        def keep(attr: str, aws_value: Any, default: Any) -> Any:
            if aws_value is not None:
                return aws_value
            return current[attr] if known(current[attr]) else default

        state = dict(current)
        state.update(
            id=cluster_id,
            arn=arn,
            allow_version_upgrade=bool(cluster.get("AllowVersionUpgrade")),
            automated_snapshot_retention_period=cluster.get("AutomatedSnapshotRetentionPeriod", 0),
            availability_zone=cluster.get("AvailabilityZone", ""),
            availability_zone_relocation_enabled=keep(
                "availability_zone_relocation_enabled",
                {"enabled": True, "disabled": False}.get(str(cluster.get("AvailabilityZoneRelocationStatus")).lower()),
                False,
            ),
            cluster_identifier=cluster["ClusterIdentifier"],
            cluster_namespace_arn=namespace,
            cluster_parameter_group_name=((cluster.get("ClusterParameterGroups") or [{}])[0]).get(
                "ParameterGroupName", ""
            ),
            cluster_subnet_group_name=cluster.get("ClusterSubnetGroupName") or "",
            cluster_type="multi-node" if nodes > 1 else "single-node",
            cluster_version=cluster.get("ClusterVersion", ""),
            database_name=cluster.get("DBName", ""),
            dns_name=address,
            encrypted=bool(cluster.get("Encrypted")),
            endpoint=f"{address}:{port}" if address and port else address,
            enhanced_vpc_routing=bool(cluster.get("EnhancedVpcRouting")),
            kms_key_id=cluster.get("KmsKeyId") or "",
            maintenance_track_name=keep("maintenance_track_name", cluster.get("MaintenanceTrackName"), "current"),
            manage_master_password=bool(secret_arn) if manage is not None else None,
            manual_snapshot_retention_period=keep(
                "manual_snapshot_retention_period", cluster.get("ManualSnapshotRetentionPeriod"), -1
            ),
            master_password_secret_arn=secret_arn,
            master_password_secret_kms_key_id=secret_kms
            or (
                current["master_password_secret_kms_key_id"]
                if known(current["master_password_secret_kms_key_id"])
                else ""
            ),
            master_username=cluster.get("MasterUsername", ""),
            multi_az=keep(
                "multi_az", {"enabled": True, "disabled": False}.get(str(cluster.get("MultiAZ")).lower()), False
            ),
            node_type=cluster.get("NodeType", ""),
            number_of_nodes=nodes,
            port=port or current["port"],
            preferred_maintenance_window=(cluster.get("PreferredMaintenanceWindow") or "").lower(),
            publicly_accessible=bool(cluster.get("PubliclyAccessible")),
            vpc_security_group_ids=[g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])],
        )
        fill_unset(state, apply_immediately=False, skip_final_snapshot=False)
        return self.set_tags_from_aws(state, tag_list_to_dict(cluster.get("Tags")))

    _MODIFY = {  # attribute -> (ModifyCluster argument, conversion)
        "allow_version_upgrade": ("AllowVersionUpgrade", bool),
        "automated_snapshot_retention_period": ("AutomatedSnapshotRetentionPeriod", int),
        "availability_zone_relocation_enabled": ("AvailabilityZoneRelocation", bool),
        "cluster_parameter_group_name": ("ClusterParameterGroupName", str),
        "maintenance_track_name": ("MaintenanceTrackName", str),
        "manual_snapshot_retention_period": ("ManualSnapshotRetentionPeriod", int),
        "cluster_version": ("ClusterVersion", str),
        "encrypted": ("Encrypted", bool),
        "enhanced_vpc_routing": ("EnhancedVpcRouting", bool),
        "master_password": ("MasterUserPassword", str),
        "master_password_secret_kms_key_id": ("MasterPasswordSecretKmsKeyId", str),
        "preferred_maintenance_window": ("PreferredMaintenanceWindow", str),
        "publicly_accessible": ("PubliclyAccessible", bool),
    }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        cluster_id = prior["id"]
        args = modified_args(prior, planned, self._MODIFY)
        if changed(prior, planned, "cluster_type", "node_type", "number_of_nodes"):
            # AWS wants all three for a resize.
            nodes = int(planned["number_of_nodes"])
            args["NodeType"] = planned["node_type"]
            args["ClusterType"] = "multi-node" if nodes > 1 else "single-node"
            if nodes > 1:
                args["NumberOfNodes"] = nodes
        if planned["encrypted"] and changed(prior, planned, "kms_key_id") and planned["kms_key_id"]:
            args["KmsKeyId"] = planned["kms_key_id"]
        if changed(prior, planned, "vpc_security_group_ids") and known(planned["vpc_security_group_ids"]):
            args["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        managing = changed(prior, planned, "manage_master_password")
        if managing:
            args["ManageMasterPassword"] = bool(planned["manage_master_password"])
        if args:
            self.client.modify_cluster(ClusterIdentifier=cluster_id, **args)
            self._wait_available(cluster_id)
        if changed(prior, planned, "availability_zone") and known(planned["availability_zone"]):
            # AWS refuses an AZ move together with other changes.
            self.client.modify_cluster(ClusterIdentifier=cluster_id, AvailabilityZone=planned["availability_zone"])
            self._wait_available(cluster_id)
        if managing:
            cluster = self._describe(cluster_id)
            if planned["manage_master_password"] and not cluster.get("MasterPasswordSecretArn"):
                self._create_managed_secret(
                    cluster_id, prior["master_username"], planned["master_password_secret_kms_key_id"]
                )
            elif not planned["manage_master_password"]:
                self._delete_managed_secret(cluster_id, prior["master_username"])
        _tags_update(self, self.arn("redshift", f"cluster:{cluster_id}"), prior, planned)
        return self.read(ctx, {**planned, "id": cluster_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        cluster_id = current["id"]
        args = final_snapshot_args(
            current,
            f"Redshift Cluster ({cluster_id})",
            skip_arg="SkipFinalClusterSnapshot",
            identifier_arg="FinalClusterSnapshotIdentifier",
        )
        retry_while_busy(
            lambda: self.client.delete_cluster(ClusterIdentifier=cluster_id, **args),
            busy=("InvalidClusterState", "InvalidClusterStateFault"),  # e.g. still modifying: try again
            gone=_CLUSTER_NOT_FOUND,
            what=f"Redshift Cluster {cluster_id} to accept deletion",
        )
        wait_gone(
            lambda: self._describe(cluster_id),
            what=f"Redshift Cluster {cluster_id} to be deleted",
            timeout=900,
            interval=0.5,
        )
        if current["manage_master_password"] and current["master_username"]:
            self._delete_managed_secret(cluster_id, current["master_username"])


RESOURCES = [RedshiftSubnetGroup, RedshiftCluster]
