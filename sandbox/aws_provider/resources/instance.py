"""aws_instance (EC2 API).

Schema follows internal/service/ec2/ec2_instance.go (v5) for the attributes patterns, policies
and cost rules use; ``root_block_device`` and ``metadata_options`` are list blocks (max 1),
Optional+Computed as in SDKv2, so plan JSON shows ``root_block_device: [{...}]``.
moto accepts any AMI id (``ami-12345678`` works), so patterns can take the AMI as a parameter.
"""

import base64
import os
import time
from typing import Any

from ..base import AwsResource, ResourceContext, describe_one, ignore_codes, known, wait_for
from ..blocks import ListNestedBlock
from ..errors import NotFound
from ..schema import computed, optional, resource_schema, tags_attributes
from ..types import Bool, List, Map, Number, Set, String, Unknown
from ._ec2 import aws_tags, tag_specifications, update_tags

_NOT_FOUND = ("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")
_GONE_STATES = ("terminated", "shutting-down")
_METADATA_FIELDS = {
    "http_endpoint": "HttpEndpoint",
    "http_protocol_ipv6": "HttpProtocolIpv6",
    "http_put_response_hop_limit": "HttpPutResponseHopLimit",
    "http_tokens": "HttpTokens",
    "instance_metadata_tags": "InstanceMetadataTags",
}
_VOLUME_FIELDS = {"volume_size": "Size", "volume_type": "VolumeType", "iops": "Iops", "throughput": "Throughput"}
# Simple instance attributes changed in place with ModifyInstanceAttribute.
_MODIFIABLE = {
    "disable_api_termination": "DisableApiTermination",
    "disable_api_stop": "DisableApiStop",
    "source_dest_check": "SourceDestCheck",
    "instance_initiated_shutdown_behavior": "InstanceInitiatedShutdownBehavior",
}


class Instance(AwsResource):
    type_name = "aws_instance"
    service = "ec2"
    schema = resource_schema(
        optional("ami", String(), computed=True, force_new=True),
        computed("arn", String()),
        optional("associate_public_ip_address", Bool(), computed=True, force_new=True),
        optional("availability_zone", String(), computed=True, force_new=True),
        optional("disable_api_stop", Bool(), computed=True),
        optional("disable_api_termination", Bool(), computed=True),
        optional("ebs_optimized", Bool(), computed=True, force_new=True),
        optional("get_password_data", Bool(), default=False),
        optional("hibernation", Bool(), force_new=True),
        optional("host_id", String(), computed=True, force_new=True),
        optional("iam_instance_profile", String(), computed=True),
        optional("instance_initiated_shutdown_behavior", String(), computed=True),
        computed("instance_lifecycle", String()),
        computed("instance_state", String()),
        optional("instance_type", String(), computed=True),
        optional("ipv6_address_count", Number(), computed=True, force_new=True),
        optional("ipv6_addresses", List(String()), computed=True, force_new=True),
        optional("key_name", String(), computed=True, force_new=True),
        optional("monitoring", Bool(), computed=True),
        computed("outpost_arn", String()),
        computed("password_data", String(), sensitive=True),
        optional("placement_group", String(), computed=True, force_new=True),
        optional("placement_partition_number", Number(), computed=True, force_new=True),
        computed("primary_network_interface_id", String()),
        computed("private_dns", String()),
        optional("private_ip", String(), computed=True, force_new=True),
        computed("public_dns", String()),
        computed("public_ip", String()),
        optional("secondary_private_ips", Set(String()), computed=True),
        optional("security_groups", Set(String()), computed=True, force_new=True),
        optional("source_dest_check", Bool(), default=True),
        computed("spot_instance_request_id", String()),
        optional("subnet_id", String(), computed=True, force_new=True),
        *tags_attributes(),
        optional("tenancy", String(), computed=True, force_new=True),
        optional("user_data", String(), computed=True),
        optional("user_data_base64", String(), computed=True),
        optional("user_data_replace_on_change", Bool(), default=False),
        optional("volume_tags", Map(String())),
        optional("vpc_security_group_ids", Set(String()), computed=True),
        ListNestedBlock("credit_specification", [optional("cpu_credits", String())], max_items=1),
        ListNestedBlock(
            "metadata_options",
            [
                optional("http_endpoint", String(), computed=True),
                optional("http_protocol_ipv6", String(), computed=True),
                optional("http_put_response_hop_limit", Number(), computed=True),
                optional("http_tokens", String(), computed=True),
                optional("instance_metadata_tags", String(), computed=True),
            ],
            max_items=1,
            computed=True,
        ),
        ListNestedBlock(
            "root_block_device",
            [
                optional("delete_on_termination", Bool(), default=True),
                computed("device_name", String()),
                optional("encrypted", Bool(), computed=True, force_new=True),
                optional("iops", Number(), computed=True),
                optional("kms_key_id", String(), computed=True, force_new=True),
                optional("tags", Map(String())),
                optional("throughput", Number(), computed=True),
                computed("volume_id", String()),
                optional("volume_size", Number(), computed=True),
                optional("volume_type", String(), computed=True),
            ],
            max_items=1,
            computed=True,
        ),
    )

    # -- plan --------------------------------------------------------------------------------------

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        if prior is not None and self._needs_stop(prior, planned):
            # A stop/start cycle gives the instance a new public address.
            planned["public_ip"] = planned["public_dns"] = Unknown
        if prior is not None and planned["user_data_replace_on_change"]:
            for attr in ("user_data", "user_data_base64"):
                if known(planned[attr]) and planned[attr] != prior[attr]:
                    ctx.requires_replace.append([attr])
        return planned

    @staticmethod
    def _needs_stop(prior: dict, planned: dict) -> bool:
        return any(
            known(planned[attr]) and planned[attr] != prior[attr]
            for attr in ("instance_type", "user_data", "user_data_base64")
        )

    # -- create ------------------------------------------------------------------------------------

    def _root_device_name(self, ami: str) -> str:
        images = ignore_codes(
            lambda: self.client.describe_images(ImageIds=[ami])["Images"],
            "InvalidAMIID.NotFound",
            "InvalidAMIID.Malformed",
        )
        return (images or [{}])[0].get("RootDeviceName") or "/dev/sda1"

    def _run_args(self, ctx: ResourceContext, planned: dict) -> dict[str, Any]:
        args: dict[str, Any] = {"ImageId": planned["ami"], "MinCount": 1, "MaxCount": 1}
        simple = {
            "instance_type": "InstanceType",
            "key_name": "KeyName",
            "private_ip": "PrivateIpAddress",
            "ebs_optimized": "EbsOptimized",
            "disable_api_termination": "DisableApiTermination",
            "disable_api_stop": "DisableApiStop",
            "instance_initiated_shutdown_behavior": "InstanceInitiatedShutdownBehavior",
            "ipv6_address_count": "Ipv6AddressCount",
        }
        args.update({arg: planned[attr] for attr, arg in simple.items() if known(planned[attr])})
        placement = {
            arg: planned[attr]
            for attr, arg in (
                ("availability_zone", "AvailabilityZone"),
                ("tenancy", "Tenancy"),
                ("placement_group", "GroupName"),
            )
            if known(planned[attr])
        }
        if placement:
            args["Placement"] = placement
        if known(planned["monitoring"]):
            args["Monitoring"] = {"Enabled": planned["monitoring"]}
        if known(planned["iam_instance_profile"]) and planned["iam_instance_profile"]:
            profile = planned["iam_instance_profile"]
            args["IamInstanceProfile"] = {"Arn": profile} if profile.startswith("arn:") else {"Name": profile}
        if planned["hibernation"]:
            args["HibernationOptions"] = {"Configured": True}
        if known(planned["user_data"]):
            args["UserData"] = planned["user_data"]
        elif known(planned["user_data_base64"]):
            args["UserData"] = base64.b64decode(planned["user_data_base64"]).decode()
        groups = list(planned["vpc_security_group_ids"]) if known(planned["vpc_security_group_ids"]) else []
        if known(planned["associate_public_ip_address"]) and known(planned["subnet_id"]):
            # Only a network-interface spec can ask for (or refuse) a public IP.
            interface = {
                "DeviceIndex": 0,
                "SubnetId": planned["subnet_id"],
                "AssociatePublicIpAddress": planned["associate_public_ip_address"],
                "Groups": groups,
            }
            if "PrivateIpAddress" in args:
                interface["PrivateIpAddress"] = args.pop("PrivateIpAddress")
            args["NetworkInterfaces"] = [interface]
        else:
            if known(planned["subnet_id"]):
                args["SubnetId"] = planned["subnet_id"]
            if groups:
                args["SecurityGroupIds"] = groups
        if known(planned["security_groups"]) and planned["security_groups"]:
            args["SecurityGroups"] = list(planned["security_groups"])
        options = (planned["metadata_options"] or [None])[0] if known(planned["metadata_options"]) else None
        if options:
            args["MetadataOptions"] = {arg: options[a] for a, arg in _METADATA_FIELDS.items() if known(options[a])}
        credits = planned["credit_specification"]
        if known(credits) and credits and known(credits[0]["cpu_credits"]):
            args["CreditSpecification"] = {"CpuCredits": credits[0]["cpu_credits"]}
        root = (planned["root_block_device"] or [None])[0] if known(planned["root_block_device"]) else None
        if root:
            ebs = {"DeleteOnTermination": root["delete_on_termination"] is not False}
            for attr, arg in (
                ("volume_size", "VolumeSize"),
                ("volume_type", "VolumeType"),
                ("encrypted", "Encrypted"),
                ("kms_key_id", "KmsKeyId"),
                ("iops", "Iops"),
                ("throughput", "Throughput"),
            ):
                if known(root[attr]):
                    ebs[arg] = root[attr]
            args["BlockDeviceMappings"] = [{"DeviceName": self._root_device_name(planned["ami"]), "Ebs": ebs}]
        specs = tag_specifications("instance", planned["tags_all"])
        volume_tags = planned["volume_tags"] if known(planned["volume_tags"]) else None
        specs += tag_specifications("volume", volume_tags)
        if specs:
            args["TagSpecifications"] = specs
        return args

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        instance_id = self.client.run_instances(**self._run_args(ctx, planned))["Instances"][0]["InstanceId"]
        ctx.partial_state = {**planned, "id": instance_id}
        self._wait_state(instance_id, "running")
        # moto boots instances at once; real ones take tens of seconds. A chosen boot time lets
        # tests catch an apply in flight (kill the worker, cancel the change) deterministically.
        time.sleep(float(os.environ.get("SANDBOX_INSTANCE_BOOT_SECONDS", "0") or 0))
        return self.read(ctx, {**planned, "id": instance_id})

    # -- read --------------------------------------------------------------------------------------

    def _find(self, instance_id: str) -> dict:
        reservation = describe_one(
            self.client, "describe_instances", "Reservations", _NOT_FOUND, InstanceIds=[instance_id]
        )
        return reservation["Instances"][0]

    def _wait_state(self, instance_id: str, wanted: str) -> None:
        wait_for(
            lambda: self._find(instance_id)["State"]["Name"] == wanted,
            what=f"instance {instance_id} to be {wanted}",
            timeout=600,
        )

    def _attribute(self, instance_id: str, name: str, key: str, fallback: Any) -> Any:
        result = ignore_codes(
            lambda: self.client.describe_instance_attribute(InstanceId=instance_id, Attribute=name),
            "InvalidParameterValue",
            "UnsupportedOperation",
            "InvalidParameterCombination",
        )
        return result[key]["Value"] if result and "Value" in result.get(key, {}) else fallback

    def _root_block_device(self, instance: dict, current: dict) -> list[dict]:
        mappings = [m for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]
        root = next((m for m in mappings if m["DeviceName"] == instance.get("RootDeviceName")), None)
        root = root or (mappings[0] if mappings else None)
        if root is None:
            return []
        volume_id = root["Ebs"]["VolumeId"]
        volume = describe_one(
            self.client, "describe_volumes", "Volumes", ("InvalidVolume.NotFound",), VolumeIds=[volume_id]
        )
        prior = (
            current["root_block_device"][0]
            if known(current["root_block_device"]) and current["root_block_device"]
            else {}
        )
        return [
            {
                "delete_on_termination": bool(root["Ebs"].get("DeleteOnTermination")),
                "device_name": root["DeviceName"],
                "encrypted": bool(volume.get("Encrypted")),
                "iops": volume.get("Iops") or 0,
                "kms_key_id": volume.get("KmsKeyId") or "",
                "tags": prior.get("tags") if known(prior.get("tags")) else None,
                "throughput": volume.get("Throughput") or 0,
                "volume_id": volume_id,
                "volume_size": volume.get("Size"),
                "volume_type": volume.get("VolumeType", ""),
            }
        ]

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        instance_id = current["id"]
        instance = self._find(instance_id)
        if instance["State"]["Name"] in _GONE_STATES:
            raise NotFound(instance_id)
        interfaces = instance.get("NetworkInterfaces", [])
        primary = next((n for n in interfaces if n.get("Attachment", {}).get("DeviceIndex") == 0), None)
        groups = (primary or {}).get("Groups") or instance.get("SecurityGroups", [])
        placement = instance.get("Placement", {})
        metadata = instance.get("MetadataOptions", {})
        profile_arn = instance.get("IamInstanceProfile", {}).get("Arn", "")

        def keep(attr: str, fallback: Any) -> Any:
            return current[attr] if known(current[attr]) else fallback

        state = dict(current)
        state.update(
            ami=instance["ImageId"],
            arn=self.arn("ec2", f"instance/{instance_id}"),
            associate_public_ip_address=keep("associate_public_ip_address", bool(instance.get("PublicIpAddress"))),
            availability_zone=placement.get("AvailabilityZone", ""),
            disable_api_stop=bool(self._attribute(instance_id, "disableApiStop", "DisableApiStop", False)),
            disable_api_termination=bool(
                self._attribute(instance_id, "disableApiTermination", "DisableApiTermination", False)
            ),
            ebs_optimized=bool(instance.get("EbsOptimized")),
            host_id=placement.get("HostId", ""),
            iam_instance_profile=profile_arn.rsplit("/", 1)[-1] if profile_arn else "",
            instance_initiated_shutdown_behavior=self._attribute(
                instance_id, "instanceInitiatedShutdownBehavior", "InstanceInitiatedShutdownBehavior", "stop"
            ),
            instance_lifecycle=instance.get("InstanceLifecycle", ""),
            instance_state=instance["State"]["Name"],
            instance_type=instance["InstanceType"],
            ipv6_address_count=len((primary or {}).get("Ipv6Addresses", [])),
            ipv6_addresses=[a["Ipv6Address"] for a in (primary or {}).get("Ipv6Addresses", [])],
            key_name=instance.get("KeyName", ""),
            monitoring=instance.get("Monitoring", {}).get("State") in ("enabled", "pending"),
            outpost_arn=instance.get("OutpostArn", ""),
            password_data="",
            placement_group=placement.get("GroupName", ""),
            placement_partition_number=placement.get("PartitionNumber", 0),
            primary_network_interface_id=(primary or {}).get("NetworkInterfaceId", ""),
            private_dns=instance.get("PrivateDnsName", ""),
            private_ip=instance.get("PrivateIpAddress", ""),
            public_dns=instance.get("PublicDnsName", ""),
            public_ip=instance.get("PublicIpAddress", ""),
            secondary_private_ips=[
                a["PrivateIpAddress"] for a in (primary or {}).get("PrivateIpAddresses", []) if not a.get("Primary")
            ],
            security_groups=keep("security_groups", []),
            source_dest_check=bool(instance.get("SourceDestCheck", True)),
            spot_instance_request_id=instance.get("SpotInstanceRequestId", ""),
            subnet_id=instance.get("SubnetId", ""),
            tenancy=placement.get("Tenancy", "default"),
            user_data=keep("user_data", None),
            user_data_base64=keep("user_data_base64", None),
            vpc_security_group_ids=[g["GroupId"] for g in groups],
            credit_specification=keep("credit_specification", []),
            metadata_options=[{attr: metadata.get(field) for attr, field in _METADATA_FIELDS.items()}]
            if metadata
            else [],
            root_block_device=self._root_block_device(instance, current),
        )
        return self.set_tags_from_aws(state, aws_tags(instance))

    # -- update / delete ---------------------------------------------------------------------------

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        instance_id = prior["id"]
        client = self.client
        if self._needs_stop(prior, planned):
            # Instance type and user data can only change while the instance is stopped.
            client.stop_instances(InstanceIds=[instance_id])
            self._wait_state(instance_id, "stopped")
            if planned["instance_type"] != prior["instance_type"]:
                client.modify_instance_attribute(
                    InstanceId=instance_id, InstanceType={"Value": planned["instance_type"]}
                )
            if planned["user_data"] != prior["user_data"] and known(planned["user_data"]):
                client.modify_instance_attribute(
                    InstanceId=instance_id, UserData={"Value": (planned["user_data"] or "").encode()}
                )
            client.start_instances(InstanceIds=[instance_id])
            self._wait_state(instance_id, "running")
        for attr, arg in _MODIFIABLE.items():
            if known(planned[attr]) and planned[attr] != prior[attr]:
                client.modify_instance_attribute(InstanceId=instance_id, **{arg: {"Value": planned[attr]}})
        if known(planned["vpc_security_group_ids"]) and set(planned["vpc_security_group_ids"]) != set(
            prior["vpc_security_group_ids"] or []
        ):
            client.modify_instance_attribute(InstanceId=instance_id, Groups=list(planned["vpc_security_group_ids"]))
        if known(planned["monitoring"]) and planned["monitoring"] != prior["monitoring"]:
            (client.monitor_instances if planned["monitoring"] else client.unmonitor_instances)(
                InstanceIds=[instance_id]
            )
        self._update_metadata_options(instance_id, prior, planned)
        self._update_root_block_device(instance_id, prior, planned)
        update_tags(self, instance_id, prior, planned)
        return self.read(ctx, {**planned, "id": instance_id})

    def _update_metadata_options(self, instance_id: str, prior: dict, planned: dict) -> None:
        new = planned["metadata_options"]
        if not known(new) or not new or new == prior["metadata_options"]:
            return
        options = {arg: new[0][attr] for attr, arg in _METADATA_FIELDS.items() if known(new[0][attr])}
        self.client.modify_instance_metadata_options(InstanceId=instance_id, **options)

    def _update_root_block_device(self, instance_id: str, prior: dict, planned: dict) -> None:
        new, old = planned["root_block_device"], prior["root_block_device"]
        if not known(new) or not new or not old or new == old:
            return
        new, old = new[0], old[0]
        changes = {arg: new[a] for a, arg in _VOLUME_FIELDS.items() if known(new[a]) and new[a] != old[a]}
        if changes:
            self.client.modify_volume(VolumeId=old["volume_id"], **changes)
        if new["delete_on_termination"] != old["delete_on_termination"]:
            self.client.modify_instance_attribute(
                InstanceId=instance_id,
                BlockDeviceMappings=[
                    {"DeviceName": old["device_name"], "Ebs": {"DeleteOnTermination": new["delete_on_termination"]}}
                ],
            )

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        instance_id = current["id"]
        if ignore_codes(lambda: self.client.terminate_instances(InstanceIds=[instance_id]), *_NOT_FOUND) is None:
            return

        def terminated() -> bool:
            try:
                return self._find(instance_id)["State"]["Name"] == "terminated"
            except NotFound:
                return True

        wait_for(terminated, what=f"instance {instance_id} to terminate", timeout=600)


RESOURCES = [Instance]
