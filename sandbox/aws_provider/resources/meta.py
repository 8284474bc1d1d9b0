"""Data sources about the account and region: aws_caller_identity, aws_region,
aws_availability_zones (as in internal/service/sts and internal/service/meta, ec2 of v5)."""

from ..base import AwsDataSource, ResourceContext
from ..blocks import SetNestedBlock
from ..schema import computed, optional, required, resource_schema
from ..types import Bool, List, Set, String


class CallerIdentity(AwsDataSource):
    type_name = "aws_caller_identity"
    service = "sts"
    schema = resource_schema(computed("account_id", String()), computed("arn", String()), computed("user_id", String()))

    def read(self, ctx: ResourceContext, config: dict) -> dict:
        identity = self.client.get_caller_identity()
        return {
            "id": identity["Account"],
            "account_id": identity["Account"],
            "arn": identity["Arn"],
            "user_id": identity["UserId"],
        }


class Region(AwsDataSource):
    type_name = "aws_region"
    service = "ec2"
    schema = resource_schema(
        computed("description", String()),
        optional("endpoint", String(), computed=True),
        optional("name", String(), computed=True),
    )

    def read(self, ctx: ResourceContext, config: dict) -> dict:
        name = config.get("name") or self.region
        return {
            "id": name,
            "name": name,
            "endpoint": f"ec2.{name}.amazonaws.com",
            "description": name,
        }


class AvailabilityZones(AwsDataSource):
    type_name = "aws_availability_zones"
    service = "ec2"
    schema = resource_schema(
        optional("all_availability_zones", Bool()),
        optional("exclude_names", Set(String())),
        optional("exclude_zone_ids", Set(String())),
        computed("group_names", Set(String())),
        computed("names", List(String())),
        optional("state", String()),
        computed("zone_ids", List(String())),
        SetNestedBlock("filter", [required("name", String()), required("values", Set(String()))]),
    )

    def read(self, ctx: ResourceContext, config: dict) -> dict:
        filters = [{"Name": f["name"], "Values": list(f["values"])} for f in config.get("filter") or []]
        if config.get("state"):
            filters.append({"Name": "state", "Values": [config["state"]]})
        args: dict = {"Filters": filters} if filters else {}
        if config.get("all_availability_zones"):
            args["AllAvailabilityZones"] = True
        zones = self.client.describe_availability_zones(**args)["AvailabilityZones"]
        excluded_names = set(config.get("exclude_names") or [])
        excluded_ids = set(config.get("exclude_zone_ids") or [])
        zones = sorted(
            (z for z in zones if z["ZoneName"] not in excluded_names and z["ZoneId"] not in excluded_ids),
            key=lambda z: z["ZoneName"],
        )
        return {
            **config,
            "id": self.region,
            "names": [z["ZoneName"] for z in zones],
            "zone_ids": [z["ZoneId"] for z in zones],
            "group_names": sorted({z.get("GroupName", self.region) for z in zones}),
        }


DATA_SOURCES = [CallerIdentity, Region, AvailabilityZones]
