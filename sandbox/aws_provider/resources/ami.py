"""Data source aws_ami (internal/service/ec2/ec2_ami_data_source.go, v5).

moto ships a catalogue of public AMIs (e.g. Amazon Linux 2023 ``al2023-ami-2023.*-x86_64``,
owner "amazon"); queries with no match fail as on AWS (Ubuntu images are not in moto's list).
"""

import re

from ..base import AwsDataSource, ResourceContext, tag_list_to_dict
from ..blocks import SetNestedBlock
from ..errors import ProviderError
from ..schema import computed, optional, required, resource_schema
from ..types import Bool, List, Map, Object, Set, String

BLOCK_DEVICE = Object({"device_name": String(), "ebs": Map(String()), "no_device": String(), "virtual_name": String()})


class Ami(AwsDataSource):
    type_name = "aws_ami"
    service = "ec2"
    schema = resource_schema(
        computed("architecture", String()),
        computed("arn", String()),
        computed("block_device_mappings", Set(BLOCK_DEVICE)),
        computed("boot_mode", String()),
        computed("creation_date", String()),
        computed("deprecation_time", String()),
        computed("description", String()),
        computed("ena_support", Bool()),
        optional("executable_users", List(String())),
        computed("hypervisor", String()),
        computed("image_id", String()),
        computed("image_location", String()),
        computed("image_owner_alias", String()),
        computed("image_type", String()),
        computed("imds_support", String()),
        optional("include_deprecated", Bool()),
        computed("kernel_id", String()),
        optional("most_recent", Bool()),
        computed("name", String()),
        optional("name_regex", String()),
        computed("owner_id", String()),
        optional("owners", List(String())),
        computed("platform", String()),
        computed("platform_details", String()),
        computed("public", Bool()),
        computed("ramdisk_id", String()),
        computed("root_device_name", String()),
        computed("root_device_type", String()),
        computed("root_snapshot_id", String()),
        computed("sriov_net_support", String()),
        computed("state", String()),
        optional("tags", Map(String()), computed=True),
        computed("tpm_support", String()),
        computed("usage_operation", String()),
        computed("virtualization_type", String()),
        SetNestedBlock("filter", [required("name", String()), required("values", List(String()))]),
    )

    def read(self, ctx: ResourceContext, config: dict) -> dict:
        args: dict = {}
        if config.get("owners"):
            args["Owners"] = list(config["owners"])
        if config.get("executable_users"):
            args["ExecutableUsers"] = list(config["executable_users"])
        if config.get("filter"):
            args["Filters"] = [{"Name": f["name"], "Values": list(f["values"])} for f in config["filter"]]
        if config.get("include_deprecated"):
            args["IncludeDeprecated"] = True
        images = self.client.describe_images(**args)["Images"]
        if config.get("name_regex"):
            pattern = re.compile(config["name_regex"])
            images = [i for i in images if pattern.search(i.get("Name", ""))]
        if not images:
            raise ProviderError("Your query returned no results. Please change your search criteria and try again.")
        if len(images) > 1 and not config.get("most_recent"):
            raise ProviderError(
                "Your query returned more than one result. Please try more specific search criteria, "
                "or set `most_recent` attribute to true."
            )
        image = max(images, key=lambda i: i.get("CreationDate", ""))
        root = next(
            (m for m in image.get("BlockDeviceMappings", []) if m.get("DeviceName") == image.get("RootDeviceName")),
            {},
        )
        return {
            **config,
            "id": image["ImageId"],
            "image_id": image["ImageId"],
            "arn": f"arn:aws:ec2:{self.region}::image/{image['ImageId']}",
            "architecture": image.get("Architecture", ""),
            "block_device_mappings": [
                {
                    "device_name": m.get("DeviceName", ""),
                    "ebs": {k[0].lower() + k[1:]: str(v) for k, v in m.get("Ebs", {}).items()},
                    "no_device": m.get("NoDevice", ""),
                    "virtual_name": m.get("VirtualName", ""),
                }
                for m in image.get("BlockDeviceMappings", [])
            ],
            "boot_mode": image.get("BootMode", ""),
            "creation_date": image.get("CreationDate", ""),
            "deprecation_time": image.get("DeprecationTime", ""),
            "description": image.get("Description", ""),
            "ena_support": bool(image.get("EnaSupport")),
            "hypervisor": image.get("Hypervisor", ""),
            "image_location": image.get("ImageLocation", ""),
            "image_owner_alias": image.get("ImageOwnerAlias", ""),
            "image_type": image.get("ImageType", ""),
            "imds_support": image.get("ImdsSupport", ""),
            "kernel_id": image.get("KernelId", ""),
            "name": image.get("Name", ""),
            "owner_id": image.get("OwnerId", ""),
            "platform": image.get("Platform", ""),
            "platform_details": image.get("PlatformDetails", ""),
            "public": bool(image.get("Public")),
            "ramdisk_id": image.get("RamdiskId", ""),
            "root_device_name": image.get("RootDeviceName", ""),
            "root_device_type": image.get("RootDeviceType", ""),
            "root_snapshot_id": root.get("Ebs", {}).get("SnapshotId", ""),
            "sriov_net_support": image.get("SriovNetSupport", ""),
            "state": image.get("State", ""),
            "tags": tag_list_to_dict(image.get("Tags")),
            "tpm_support": image.get("TpmSupport", ""),
            "usage_operation": image.get("UsageOperation", ""),
            "virtualization_type": image.get("VirtualizationType", ""),
        }


DATA_SOURCES = [Ami]
