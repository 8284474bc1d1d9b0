"""RDS: aws_db_subnet_group and aws_db_instance (RDS API).

Schemas follow internal/service/rds/subnet_group.go and instance.go (v5) for the attributes
patterns, policies and cost rules use. As in v5, ``id`` of a DB instance is its DBI resource
id (``db-...``) and ``identifier`` is changed in place (a rename); ``engine``, ``db_name``,
``username``, ``storage_encrypted``, ``kms_key_id`` and ``availability_zone`` force a new
instance. With ``manage_master_user_password`` RDS keeps the master password in Secrets Manager
(``master_user_secret``). Encrypted instances without ``kms_key_id`` get the account's
``aws/rds`` key, as on AWS.

moto 5.2.5 limits: every instance has the same DBI resource id (the sandbox finds instances by
``identifier``), modifications apply at once whatever ``apply_immediately`` says, and
ModifyDBSubnetGroup drops the group from moto's registry (the sandbox puts it back).
"""

import re
from typing import Any

from ..base import (
    AwsResource,
    ResourceContext,
    describe_one,
    dict_to_tag_list,
    known,
    planned_name,
    retry_while_busy,
    tag_list_to_dict,
    wait_for,
    wait_gone,
)
from ..errors import NotFound, ProviderError, client_error_code
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..state import blank_state
from ..types import Bool, List, Number, Object, Set, String, Unknown
from ._data_common import (
    aws_managed_key_arn,
    changed,
    conflicting,
    fill_unset,
    final_snapshot_args,
    modified_args,
    update_tags_by_name,
)

_INSTANCE_NOT_FOUND = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
_SUBNET_GROUP_NOT_FOUND = ("DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound")
_AVAILABLE = ("available", "storage-optimization")
_FAILED = ("failed", "incompatible-parameters", "incompatible-restore", "inaccessible-encryption-credentials")
_RESOURCE_ID = re.compile(r"^db-[0-9A-Za-z]{2,255}$")
# Route 53 hosted zones of RDS endpoints (DescribeDBInstances reports them; moto does not).
_HOSTED_ZONE_IDS = {
    "us-east-1": "Z2R2ITUGPM61AM",
    "us-east-2": "Z2XHWR1WZ565X2",
    "us-west-1": "Z10WI91S59XXQN",
    "us-west-2": "Z1PVIF0B656C1W",
    "eu-west-1": "Z29XKXDKYMONMX",
    "eu-central-1": "Z1RLNUO7B9Q6NB",
}
MASTER_USER_SECRET = Object({"kms_key_id": String(), "secret_arn": String(), "secret_status": String()})


def _tags_update(resource: AwsResource, arn: str, prior: dict, planned: dict) -> None:
    update_tags_by_name(resource, arn, prior, planned, remove="remove_tags_from_resource", add="add_tags_to_resource")


# -- aws_db_subnet_group ----------------------------------------------------------------------------


class DbSubnetGroup(AwsResource):
    type_name = "aws_db_subnet_group"
    service = "rds"
    schema = resource_schema(
        computed("arn", String()),
        optional("description", String(), default="Managed by Terraform"),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        required("subnet_ids", Set(String())),
        computed("supported_network_types", Set(String())),
        *tags_attributes(),
        computed("vpc_id", String()),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        name = config.get("name")
        if isinstance(name, str) and (not re.fullmatch(r"[ ._0-9a-z-]{1,255}", name) or name == "default"):
            diags.add_error(
                "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed "
                'in "name" (and it cannot be "default")',
                path=["name"],
            )

    def _find(self, name: str) -> dict:
        return describe_one(
            self.client,
            "describe_db_subnet_groups",
            "DBSubnetGroups",
            _SUBNET_GROUP_NOT_FOUND,
            match=lambda g: g["DBSubnetGroupName"] == name,
            DBSubnetGroupName=name,
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        self.client.create_db_subnet_group(
            DBSubnetGroupName=name,
            DBSubnetGroupDescription=planned["description"],
            SubnetIds=list(planned["subnet_ids"]),
            Tags=dict_to_tag_list(planned["tags_all"]),
        )
        state = {**planned, "id": name, "name": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        group = self._find(name)
        arn = group.get("DBSubnetGroupArn") or self.arn("rds", f"subgrp:{name}")
        tags = self.client.list_tags_for_resource(ResourceName=arn).get("TagList")
        state = dict(current)
        state.update(
            id=name,
            name=name,
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else None,
            arn=arn,
            description=group.get("DBSubnetGroupDescription", ""),
            subnet_ids=[s["SubnetIdentifier"] for s in group.get("Subnets", [])],
            supported_network_types=group.get("SupportedNetworkTypes") or ["IPV4"],
            vpc_id=group.get("VpcId", ""),
        )
        return self.set_tags_from_aws(state, tag_list_to_dict(tags))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        name = prior["id"]
        if changed(prior, planned, "description", "subnet_ids"):
            self.client.modify_db_subnet_group(
                DBSubnetGroupName=name,
                DBSubnetGroupDescription=planned["description"],
                SubnetIds=list(planned["subnet_ids"]),
            )
            try:
                self._find(name)
            except NotFound:
                # moto 5.2.5 forgets the group on ModifyDBSubnetGroup; AWS keeps it. Put it back.
                self.client.create_db_subnet_group(
                    DBSubnetGroupName=name,
                    DBSubnetGroupDescription=planned["description"],
                    SubnetIds=list(planned["subnet_ids"]),
                    Tags=dict_to_tag_list(prior["tags_all"]),
                )
        _tags_update(self, prior["arn"], prior, planned)
        return self.read(ctx, {**planned, "id": name})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        retry_while_busy(
            lambda: self.client.delete_db_subnet_group(DBSubnetGroupName=name),
            busy=("InvalidDBSubnetGroupStateFault",),  # still used by an instance that is being deleted
            gone=_SUBNET_GROUP_NOT_FOUND,
            what=f"DB subnet group {name} to be unused",
        )
        wait_gone(lambda: self._find(name), what=f"DB subnet group {name} to be deleted")


# -- aws_db_instance --------------------------------------------------------------------------------


def engine_version_to_set(configured: Any, actual: str, pending: str | None) -> str:
    """The real provider's compareActualEngineVersion: "16" stays "16" while AWS runs 16.3."""
    version = configured if isinstance(configured, str) else ""
    if version != actual and not (version and actual.startswith(version + ".")):
        version = actual
    if pending and version != pending:
        version = pending
    return version


def _valid_name(value: str, pattern: str) -> bool:
    return bool(re.fullmatch(pattern, value)) and "--" not in value and not value.endswith("-")


class DbInstance(AwsResource):
    type_name = "aws_db_instance"
    service = "rds"
    schema = resource_schema(
        computed("address", String()),
        optional("allocated_storage", Number(), computed=True),
        optional("apply_immediately", Bool(), default=False),
        computed("arn", String()),
        optional("auto_minor_version_upgrade", Bool(), default=True),
        optional("availability_zone", String(), computed=True, force_new=True),
        optional("backup_retention_period", Number(), computed=True),
        optional("backup_window", String(), computed=True),
        optional("ca_cert_identifier", String(), computed=True),
        optional("copy_tags_to_snapshot", Bool(), default=False),
        optional("db_name", String(), computed=True, force_new=True),
        optional("db_subnet_group_name", String(), computed=True),
        optional("delete_automated_backups", Bool(), default=True),
        optional("deletion_protection", Bool()),
        optional("enabled_cloudwatch_logs_exports", Set(String())),
        computed("endpoint", String()),
        optional("engine", String(), computed=True, force_new=True),
        optional("engine_version", String(), computed=True),
        computed("engine_version_actual", String()),
        optional("final_snapshot_identifier", String()),
        computed("hosted_zone_id", String()),
        optional("iam_database_authentication_enabled", Bool()),
        optional("identifier", String(), computed=True),
        optional("identifier_prefix", String(), computed=True),
        required("instance_class", String()),
        optional("iops", Number(), computed=True),
        optional("kms_key_id", String(), computed=True, force_new=True),
        optional("license_model", String(), computed=True),
        optional("maintenance_window", String(), computed=True),
        optional("manage_master_user_password", Bool()),
        computed("master_user_secret", List(MASTER_USER_SECRET)),
        optional("master_user_secret_kms_key_id", String(), computed=True),
        optional("max_allocated_storage", Number()),
        optional("monitoring_interval", Number(), default=0),
        optional("monitoring_role_arn", String(), computed=True),
        optional("multi_az", Bool(), computed=True),
        optional("option_group_name", String(), computed=True),
        optional("parameter_group_name", String(), computed=True),
        optional("password", String(), sensitive=True),
        optional("performance_insights_enabled", Bool(), default=False),
        optional("performance_insights_kms_key_id", String(), computed=True),
        optional("performance_insights_retention_period", Number(), computed=True),
        optional("port", Number(), computed=True),
        optional("publicly_accessible", Bool(), default=False),
        computed("resource_id", String()),
        optional("skip_final_snapshot", Bool(), default=False),
        computed("status", String()),
        optional("storage_encrypted", Bool(), force_new=True),
        optional("storage_throughput", Number(), computed=True),
        optional("storage_type", String(), computed=True),
        *tags_attributes(),
        optional("username", String(), computed=True, force_new=True),
        optional("vpc_security_group_ids", Set(String()), computed=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(
            diags,
            type_name,
            config,
            ("identifier", "identifier_prefix"),
            ("password", "manage_master_user_password"),
        )
        identifier = config.get("identifier")
        if isinstance(identifier, str) and not _valid_name(identifier, r"[a-z][0-9a-z-]{0,62}"):
            diags.add_error(
                "invalid value for identifier (must begin with a lowercase letter, contain only lowercase "
                "alphanumeric characters and hyphens, not end with a hyphen nor contain two consecutive "
                "hyphens, and be at most 63 characters)",
                path=["identifier"],
            )
        final = config.get("final_snapshot_identifier")
        if isinstance(final, str) and not _valid_name(final, r"[A-Za-z][0-9A-Za-z-]*"):
            diags.add_error(
                "final_snapshot_identifier must begin with a letter and contain only alphanumeric characters "
                "and hyphens, without two consecutive hyphens or a trailing hyphen",
                path=["final_snapshot_identifier"],
            )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        if prior is None:
            return planned
        if changed(prior, planned, "identifier") or planned["identifier"] is Unknown:
            planned["address"] = planned["endpoint"] = planned["arn"] = Unknown
        if changed(prior, planned, "engine_version"):
            planned["engine_version_actual"] = Unknown
        if changed(prior, planned, "manage_master_user_password", "master_user_secret_kms_key_id"):
            planned["master_user_secret"] = Unknown
        if changed(prior, planned, "port"):
            planned["endpoint"] = Unknown
        return planned

    # -- helpers -----------------------------------------------------------------------------------

    def _describe(self, identifier: str) -> dict:
        return describe_one(
            self.client, "describe_db_instances", "DBInstances", _INSTANCE_NOT_FOUND, DBInstanceIdentifier=identifier
        )

    def _find(self, state: dict) -> dict:
        identifier = state.get("identifier")
        if known(identifier) and identifier:
            return self._describe(identifier)
        ident = state.get("id") or ""
        if _RESOURCE_ID.match(ident):  # import by DBI resource id, as the real provider allows
            found = self.client.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [ident]}])[
                "DBInstances"
            ]
            if found:
                return found[0]
        return self._describe(ident)

    def _wait_available(self, identifier: str) -> dict:
        def ready() -> dict | None:
            db = self._describe(identifier)
            status = db.get("DBInstanceStatus", "")
            if status in _FAILED:
                raise ProviderError(f"RDS DB Instance ({identifier}) is in state {status!r}")
            return db if status in _AVAILABLE else None

        return wait_for(ready, what=f"RDS DB Instance {identifier} to be available", timeout=600, interval=0.5)

    # -- lifecycle ---------------------------------------------------------------------------------

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        identifier = planned_name(planned, attr="identifier")
        if not known(planned["engine"]):
            raise ProviderError(
                f"creating RDS DB Instance ({identifier}): InvalidParameterValue: The parameter Engine must be "
                "provided and must not be blank."
            )
        if not known(planned["username"]):
            raise ProviderError(
                f"creating RDS DB Instance ({identifier}): InvalidParameterValue: The parameter MasterUsername "
                "must be provided and must not be blank."
            )
        if not planned["password"] and not planned["manage_master_user_password"]:
            raise ProviderError(
                f"creating RDS DB Instance ({identifier}): InvalidParameterValue: The parameter "
                "MasterUserPassword must be provided and must not be blank.",
                "Set password, or manage_master_user_password = true to let RDS keep it in Secrets Manager.",
            )
        args: dict[str, Any] = {
            "DBInstanceIdentifier": identifier,
            "DBInstanceClass": planned["instance_class"],
            "Engine": planned["engine"],
            "MasterUsername": planned["username"],
            "AutoMinorVersionUpgrade": bool(planned["auto_minor_version_upgrade"]),
            "CopyTagsToSnapshot": bool(planned["copy_tags_to_snapshot"]),
            "DeletionProtection": bool(planned["deletion_protection"]),
            "PubliclyAccessible": bool(planned["publicly_accessible"]),
            "StorageEncrypted": bool(planned["storage_encrypted"]),
            "Tags": dict_to_tag_list(planned["tags_all"]),
        }
        optional_args = {
            "allocated_storage": ("AllocatedStorage", int),
            "availability_zone": ("AvailabilityZone", str),
            "backup_retention_period": ("BackupRetentionPeriod", int),
            "backup_window": ("PreferredBackupWindow", str),
            "ca_cert_identifier": ("CACertificateIdentifier", str),
            "db_name": ("DBName", str),
            "db_subnet_group_name": ("DBSubnetGroupName", str),
            "engine_version": ("EngineVersion", str),
            "iam_database_authentication_enabled": ("EnableIAMDatabaseAuthentication", bool),
            "iops": ("Iops", int),
            "kms_key_id": ("KmsKeyId", str),
            "license_model": ("LicenseModel", str),
            "maintenance_window": ("PreferredMaintenanceWindow", str),
            "master_user_secret_kms_key_id": ("MasterUserSecretKmsKeyId", str),
            "max_allocated_storage": ("MaxAllocatedStorage", int),
            "monitoring_role_arn": ("MonitoringRoleArn", str),
            "multi_az": ("MultiAZ", bool),
            "option_group_name": ("OptionGroupName", str),
            "parameter_group_name": ("DBParameterGroupName", str),
            "password": ("MasterUserPassword", str),
            "port": ("Port", int),
            "storage_throughput": ("StorageThroughput", int),
            "storage_type": ("StorageType", str),
        }
        for attr, (arg, convert) in optional_args.items():
            value = planned[attr]
            if known(value) and value != "":
                args[arg] = convert(value)
        if planned["manage_master_user_password"]:
            args["ManageMasterUserPassword"] = True
        if planned["monitoring_interval"]:
            args["MonitoringInterval"] = int(planned["monitoring_interval"])
        if planned["performance_insights_enabled"]:
            args["EnablePerformanceInsights"] = True
            for attr, (arg, convert) in _PERFORMANCE_INSIGHTS.items():
                if known(planned[attr]) and planned[attr]:
                    args[arg] = convert(planned[attr])
        if known(planned["enabled_cloudwatch_logs_exports"]) and planned["enabled_cloudwatch_logs_exports"]:
            args["EnableCloudwatchLogsExports"] = sorted(planned["enabled_cloudwatch_logs_exports"])
        if known(planned["vpc_security_group_ids"]) and planned["vpc_security_group_ids"]:
            args["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        if args["StorageEncrypted"] and "KmsKeyId" not in args:
            default_key = aws_managed_key_arn(self, "alias/aws/rds")
            if default_key:
                args["KmsKeyId"] = default_key
        db = self.client.create_db_instance(**args)["DBInstance"]
        state = {**planned, "id": db.get("DbiResourceId") or identifier, "identifier": identifier}
        ctx.partial_state = state
        self._wait_available(identifier)
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        db = self._find(current)
        endpoint = db.get("Endpoint") or {}
        secret = db.get("MasterUserSecret")
        allocated = db.get("AllocatedStorage")
        max_allocated = db.get("MaxAllocatedStorage") or 0
        if max_allocated == allocated and not current.get("max_allocated_storage"):
            max_allocated = 0  # moto reports the allocated size when storage autoscaling is off
        address = endpoint.get("Address", "")
        port = endpoint.get("Port") or db.get("DbInstancePort") or 0
        configured_engine_version = current["engine_version"] if known(current["engine_version"]) else None
        actual_version = db.get("EngineVersion", "")
        pending_version = (db.get("PendingModifiedValues") or {}).get("EngineVersion")
        manage = current["manage_master_user_password"]
        state = dict(current)
        state.update(
            id=db.get("DbiResourceId") or db["DBInstanceIdentifier"],
            address=address,
            allocated_storage=allocated,
            arn=db.get("DBInstanceArn") or self.arn("rds", f"db:{db['DBInstanceIdentifier']}"),
            auto_minor_version_upgrade=bool(db.get("AutoMinorVersionUpgrade")),
            availability_zone=db.get("AvailabilityZone", ""),
            backup_retention_period=db.get("BackupRetentionPeriod", 0),
            backup_window=db.get("PreferredBackupWindow", ""),
            ca_cert_identifier=db.get("CACertificateIdentifier", ""),
            copy_tags_to_snapshot=bool(db.get("CopyTagsToSnapshot")),
            db_name=db.get("DBName", ""),
            db_subnet_group_name=(db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName", ""),
            deletion_protection=bool(db.get("DeletionProtection")),
            enabled_cloudwatch_logs_exports=sorted(db.get("EnabledCloudwatchLogsExports") or []) or None,
            endpoint=f"{address}:{port}" if address and port else address,
            engine=db.get("Engine", ""),
            engine_version=engine_version_to_set(configured_engine_version, actual_version, pending_version),
            engine_version_actual=actual_version,
            hosted_zone_id=endpoint.get("HostedZoneId") or _HOSTED_ZONE_IDS.get(self.region, ""),
            iam_database_authentication_enabled=bool(db.get("IAMDatabaseAuthenticationEnabled")),
            identifier=db["DBInstanceIdentifier"],
            identifier_prefix=current["identifier_prefix"] if known(current["identifier_prefix"]) else None,
            instance_class=db.get("DBInstanceClass", ""),
            iops=db.get("Iops") or 0,
            kms_key_id=db.get("KmsKeyId") or "",
            license_model=db.get("LicenseModel", ""),
            maintenance_window=(db.get("PreferredMaintenanceWindow") or "").lower(),
            # Not returned by the API (the real provider keeps the configured value); a managed
            # secret that disappeared out of band shows up as drift here.
            manage_master_user_password=bool(secret) if manage is not None else None,
            master_user_secret=[
                {
                    "kms_key_id": secret.get("KmsKeyId", ""),
                    "secret_arn": secret.get("SecretArn", ""),
                    "secret_status": secret.get("SecretStatus", ""),
                }
            ]
            if secret
            else [],
            master_user_secret_kms_key_id=(secret or {}).get("KmsKeyId")
            or (current["master_user_secret_kms_key_id"] if known(current["master_user_secret_kms_key_id"]) else ""),
            max_allocated_storage=max_allocated,
            monitoring_interval=db.get("MonitoringInterval") or 0,
            monitoring_role_arn=db.get("MonitoringRoleArn", ""),
            multi_az=bool(db.get("MultiAZ")),
            option_group_name=((db.get("OptionGroupMemberships") or [{}])[0]).get("OptionGroupName", ""),
            parameter_group_name=((db.get("DBParameterGroups") or [{}])[0]).get("DBParameterGroupName", ""),
            **_performance_insights(db, current),
            port=port,
            publicly_accessible=bool(db.get("PubliclyAccessible")),
            resource_id=db.get("DbiResourceId", ""),
            status=db.get("DBInstanceStatus", ""),
            storage_encrypted=bool(db.get("StorageEncrypted")),
            storage_throughput=db.get("StorageThroughput") or 0,
            storage_type=db.get("StorageType", ""),
            username=db.get("MasterUsername", ""),
            vpc_security_group_ids=[g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
        )
        fill_unset(state, apply_immediately=False, delete_automated_backups=True, skip_final_snapshot=False)
        return self.set_tags_from_aws(state, tag_list_to_dict(db.get("TagList")))

    def import_state(self, ctx: ResourceContext, id_: str) -> dict | None:
        # Like the real provider: neither setting can be read from AWS, and a final snapshot
        # would need an identifier the import does not know.
        state = blank_state(self.schema, id=id_, skip_final_snapshot=True, delete_automated_backups=True)
        return self.read(ctx, state)

    _MODIFY = {  # attribute -> (ModifyDBInstance argument, conversion)
        "auto_minor_version_upgrade": ("AutoMinorVersionUpgrade", bool),
        "backup_retention_period": ("BackupRetentionPeriod", int),
        "backup_window": ("PreferredBackupWindow", str),
        "ca_cert_identifier": ("CACertificateIdentifier", str),
        "copy_tags_to_snapshot": ("CopyTagsToSnapshot", bool),
        "db_subnet_group_name": ("DBSubnetGroupName", str),
        "iam_database_authentication_enabled": ("EnableIAMDatabaseAuthentication", bool),
        "identifier": ("NewDBInstanceIdentifier", str),
        "instance_class": ("DBInstanceClass", str),
        "license_model": ("LicenseModel", str),
        "maintenance_window": ("PreferredMaintenanceWindow", str),
        "monitoring_interval": ("MonitoringInterval", int),
        "monitoring_role_arn": ("MonitoringRoleArn", str),
        "multi_az": ("MultiAZ", bool),
        "option_group_name": ("OptionGroupName", str),
        "parameter_group_name": ("DBParameterGroupName", str),
        "performance_insights_enabled": ("EnablePerformanceInsights", bool),
        "port": ("DBPortNumber", int),
        "publicly_accessible": ("PubliclyAccessible", bool),
        "storage_throughput": ("StorageThroughput", int),
        "storage_type": ("StorageType", str),
    }
    # Changing only these does not call ModifyDBInstance (as in the real provider).
    _NOT_MODIFIED = (
        "apply_immediately",
        "delete_automated_backups",
        "final_snapshot_identifier",
        "skip_final_snapshot",
        "tags",
        "tags_all",
    )

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        old_identifier = prior["identifier"]
        args = modified_args(prior, planned, self._MODIFY)
        if changed(prior, planned, "allocated_storage", "iops"):
            args["AllocatedStorage"] = int(planned["allocated_storage"])
            if changed(prior, planned, "iops") and planned["iops"]:
                args["Iops"] = int(planned["iops"])
        if changed(prior, planned, "engine_version"):
            args["EngineVersion"] = planned["engine_version"]
            args["AllowMajorVersionUpgrade"] = True
        if changed(prior, planned, "manage_master_user_password"):
            args["ManageMasterUserPassword"] = bool(planned["manage_master_user_password"])
        if changed(prior, planned, "master_user_secret_kms_key_id") and planned["master_user_secret_kms_key_id"]:
            args["MasterUserSecretKmsKeyId"] = planned["master_user_secret_kms_key_id"]
            args["ManageMasterUserPassword"] = bool(planned["manage_master_user_password"])
        if changed(prior, planned, "password") and planned["password"]:
            args["MasterUserPassword"] = planned["password"]
        if changed(prior, planned, "max_allocated_storage"):
            args["MaxAllocatedStorage"] = int(planned["max_allocated_storage"] or planned["allocated_storage"])
        if changed(prior, planned, "vpc_security_group_ids") and planned["vpc_security_group_ids"]:
            args["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        if changed(prior, planned, "deletion_protection"):
            args["DeletionProtection"] = bool(planned["deletion_protection"])
        if changed(prior, planned, "enabled_cloudwatch_logs_exports"):
            before, after = (
                set(prior["enabled_cloudwatch_logs_exports"] or ()),
                set(planned["enabled_cloudwatch_logs_exports"] or ()),
            )
            args["CloudwatchLogsExportConfiguration"] = {"EnableLogTypes": sorted(after - before),
                                                         "DisableLogTypes": sorted(before - after)}  # fmt: skip
        if planned["performance_insights_enabled"]:
            args.update(
                {arg: value for arg, value in modified_args(prior, planned, _PERFORMANCE_INSIGHTS).items() if value}
            )
        identifier = planned["identifier"] if known(planned["identifier"]) else old_identifier
        if args:
            args["DeletionProtection"] = bool(planned["deletion_protection"])
            self.client.modify_db_instance(
                DBInstanceIdentifier=old_identifier, ApplyImmediately=bool(planned["apply_immediately"]), **args
            )
            self._wait_available(identifier)
        arn = self._describe(identifier).get("DBInstanceArn") or self.arn("rds", f"db:{identifier}")
        _tags_update(self, arn, prior, planned)
        return self.read(ctx, {**planned, "id": prior["id"], "identifier": identifier})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        from botocore.exceptions import ClientError

        identifier = current["identifier"] or current["id"]
        args: dict[str, Any] = {
            "DBInstanceIdentifier": identifier,
            "DeleteAutomatedBackups": current["delete_automated_backups"] is not False,
            **final_snapshot_args(
                current,
                f"RDS DB Instance ({identifier})",
                skip_arg="SkipFinalSnapshot",
                identifier_arg="FinalDBSnapshotIdentifier",
            ),
        }
        try:
            self.client.delete_db_instance(**args)
        except ClientError as exc:
            code = client_error_code(exc)
            if code in _INSTANCE_NOT_FOUND:
                return
            if not (code == "InvalidDBInstanceState" and "already being deleted" in str(exc)):
                raise
        wait_gone(
            lambda: self._describe(identifier),
            what=f"RDS DB Instance {identifier} to be deleted",
            timeout=600,
            interval=0.5,
        )


# Performance Insights arguments sent with EnablePerformanceInsights (attribute -> (argument, conversion)).
_PERFORMANCE_INSIGHTS = {
    "performance_insights_kms_key_id": ("PerformanceInsightsKMSKeyId", str),
    "performance_insights_retention_period": ("PerformanceInsightsRetentionPeriod", int),
}


def _performance_insights(db: dict, current: dict) -> dict:
    """The Performance Insights attributes as AWS reports them. moto does not model Performance Insights
    (it accepts the arguments and reports nothing): what the configuration set is kept, as the real provider
    would read it back from AWS; a sandbox gap listed in sandbox/README.md."""
    if "PerformanceInsightsEnabled" not in db:
        enabled = bool(current["performance_insights_enabled"])
        kms_key = current["performance_insights_kms_key_id"]
        retention = current["performance_insights_retention_period"]
        return {
            "performance_insights_enabled": enabled,
            "performance_insights_kms_key_id": kms_key if enabled and known(kms_key) and kms_key else "",
            "performance_insights_retention_period": (retention if enabled and known(retention) and retention
                                                      else (7 if enabled else 0)),
        }  # fmt: skip
    return {
        "performance_insights_enabled": bool(db["PerformanceInsightsEnabled"]),
        "performance_insights_kms_key_id": db.get("PerformanceInsightsKMSKeyId", ""),
        "performance_insights_retention_period": db.get("PerformanceInsightsRetentionPeriod") or 0,
    }


RESOURCES = [DbSubnetGroup, DbInstance]
