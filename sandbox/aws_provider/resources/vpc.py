"""VPC networking: aws_vpc, aws_subnet, aws_internet_gateway (EC2 API).

Schemas follow internal/service/ec2/vpc_.go, vpc_subnet.go, vpc_internet_gateway.go of
hashicorp/terraform-provider-aws v5.
"""

from ..base import AwsResource, ResourceContext, describe_one, ignore_codes, known, wait_for
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Number, String
from ._ec2 import aws_tags, delete_with_retry, tag_specifications, update_tags


class Vpc(AwsResource):
    type_name = "aws_vpc"
    service = "ec2"
    schema = resource_schema(
        computed("arn", String()),
        optional("assign_generated_ipv6_cidr_block", Bool()),
        optional("cidr_block", String(), computed=True, force_new=True),
        computed("default_network_acl_id", String()),
        computed("default_route_table_id", String()),
        computed("default_security_group_id", String()),
        computed("dhcp_options_id", String()),
        optional("enable_dns_hostnames", Bool(), computed=True),
        optional("enable_dns_support", Bool(), default=True),
        optional("enable_network_address_usage_metrics", Bool(), computed=True),
        optional("instance_tenancy", String(), default="default"),
        optional("ipv4_ipam_pool_id", String(), force_new=True),
        optional("ipv4_netmask_length", Number(), force_new=True),
        computed("ipv6_association_id", String()),
        optional("ipv6_cidr_block", String(), computed=True),
        optional("ipv6_cidr_block_network_border_group", String(), computed=True),
        optional("ipv6_ipam_pool_id", String()),
        optional("ipv6_netmask_length", Number()),
        computed("main_route_table_id", String()),
        computed("owner_id", String()),
        *tags_attributes(),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args: dict = {
            "InstanceTenancy": planned["instance_tenancy"],
            "TagSpecifications": tag_specifications("vpc", planned["tags_all"]),
        }
        if known(planned["cidr_block"]):
            args["CidrBlock"] = planned["cidr_block"]
        if planned["assign_generated_ipv6_cidr_block"]:
            args["AmazonProvidedIpv6CidrBlock"] = True
        for attr, arg in (("ipv4_ipam_pool_id", "Ipv4IpamPoolId"), ("ipv4_netmask_length", "Ipv4NetmaskLength")):
            if known(planned[attr]):
                args[arg] = planned[attr]
        vpc_id = self.client.create_vpc(**args)["Vpc"]["VpcId"]
        ctx.partial_state = {**planned, "id": vpc_id}
        wait_for(lambda: self._find(vpc_id)["State"] == "available", what=f"VPC {vpc_id} to be available")
        if planned["enable_dns_hostnames"] is True:
            self._set_attribute(vpc_id, "EnableDnsHostnames", True)
        if planned["enable_dns_support"] is False:
            self._set_attribute(vpc_id, "EnableDnsSupport", False)
        if planned["enable_network_address_usage_metrics"] is True:
            self._set_attribute(vpc_id, "EnableNetworkAddressUsageMetrics", True)
        return self.read(ctx, {**planned, "id": vpc_id})

    def _find(self, vpc_id: str) -> dict:
        return describe_one(self.client, "describe_vpcs", "Vpcs", ("InvalidVpcID.NotFound",), VpcIds=[vpc_id])

    def _set_attribute(self, vpc_id: str, name: str, value: bool) -> None:
        self.client.modify_vpc_attribute(VpcId=vpc_id, **{name: {"Value": value}})

    def _attribute(self, vpc_id: str, name: str, key: str, fallback: bool) -> bool:
        result = ignore_codes(
            lambda: self.client.describe_vpc_attribute(VpcId=vpc_id, Attribute=name),
            "InvalidParameterValue",
            "UnsupportedOperation",
        )
        return bool(result[key]["Value"]) if result and key in result else fallback

    def _first_id(self, operation: str, list_key: str, id_key: str, filters: list[dict]) -> str:
        items = getattr(self.client, operation)(Filters=filters)[list_key]
        return items[0][id_key] if items else ""

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        vpc_id = current["id"]
        vpc = self._find(vpc_id)
        by_vpc = {"Name": "vpc-id", "Values": [vpc_id]}
        main_rt = self._first_id(
            "describe_route_tables",
            "RouteTables",
            "RouteTableId",
            [by_vpc, {"Name": "association.main", "Values": ["true"]}],
        )
        ipv6 = next(
            (
                a
                for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
                if a.get("Ipv6CidrBlockState", {}).get("State") == "associated"
            ),
            None,
        )
        state = dict(current)
        state.update(
            arn=self.arn("ec2", f"vpc/{vpc_id}", account=vpc.get("OwnerId")),
            cidr_block=vpc.get("CidrBlock"),
            dhcp_options_id=vpc.get("DhcpOptionsId", ""),
            instance_tenancy=vpc.get("InstanceTenancy", "default"),
            owner_id=vpc.get("OwnerId", ""),
            enable_dns_hostnames=self._attribute(vpc_id, "enableDnsHostnames", "EnableDnsHostnames", False),
            enable_dns_support=self._attribute(vpc_id, "enableDnsSupport", "EnableDnsSupport", True),
            enable_network_address_usage_metrics=self._attribute(
                vpc_id, "enableNetworkAddressUsageMetrics", "EnableNetworkAddressUsageMetrics", False
            ),
            default_network_acl_id=self._first_id(
                "describe_network_acls",
                "NetworkAcls",
                "NetworkAclId",
                [by_vpc, {"Name": "default", "Values": ["true"]}],
            ),
            default_route_table_id=main_rt,
            main_route_table_id=main_rt,
            default_security_group_id=self._first_id(
                "describe_security_groups",
                "SecurityGroups",
                "GroupId",
                [by_vpc, {"Name": "group-name", "Values": ["default"]}],
            ),
            ipv6_association_id=ipv6["AssociationId"] if ipv6 else "",
            ipv6_cidr_block=ipv6["Ipv6CidrBlock"] if ipv6 else "",
            ipv6_cidr_block_network_border_group=(ipv6 or {}).get("NetworkBorderGroup", ""),
            assign_generated_ipv6_cidr_block=(
                bool(ipv6) if ipv6 or current["assign_generated_ipv6_cidr_block"] is not None else None
            ),
        )
        return self.set_tags_from_aws(state, aws_tags(vpc))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        vpc_id = prior["id"]
        for attr, name in (
            ("enable_dns_hostnames", "EnableDnsHostnames"),
            ("enable_dns_support", "EnableDnsSupport"),
            ("enable_network_address_usage_metrics", "EnableNetworkAddressUsageMetrics"),
        ):
            if known(planned[attr]) and planned[attr] != prior[attr]:
                self._set_attribute(vpc_id, name, planned[attr])
        if planned["instance_tenancy"] != prior["instance_tenancy"]:
            self.client.modify_vpc_tenancy(VpcId=vpc_id, InstanceTenancy=planned["instance_tenancy"])
        update_tags(self, vpc_id, prior, planned)
        return self.read(ctx, {**planned, "id": vpc_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        vpc_id = current["id"]
        delete_with_retry(
            lambda: self.client.delete_vpc(VpcId=vpc_id), f"VPC {vpc_id}", gone_codes=("InvalidVpcID.NotFound",)
        )


class Subnet(AwsResource):
    type_name = "aws_subnet"
    service = "ec2"
    _BOOL_ATTRIBUTES = {
        # attribute -> ModifySubnetAttribute parameter; applied after create and on update
        "map_public_ip_on_launch": "MapPublicIpOnLaunch",
        "assign_ipv6_address_on_creation": "AssignIpv6AddressOnCreation",
        "enable_dns64": "EnableDns64",
        "enable_resource_name_dns_a_record_on_launch": "EnableResourceNameDnsARecordOnLaunch",
        "enable_resource_name_dns_aaaa_record_on_launch": "EnableResourceNameDnsAAAARecordOnLaunch",
    }
    schema = resource_schema(
        computed("arn", String()),
        optional("assign_ipv6_address_on_creation", Bool(), default=False),
        optional("availability_zone", String(), computed=True, force_new=True),
        optional("availability_zone_id", String(), computed=True, force_new=True),
        optional("cidr_block", String(), force_new=True),
        optional("customer_owned_ipv4_pool", String()),
        optional("enable_dns64", Bool(), default=False),
        optional("enable_lni_at_device_index", Number(), computed=True),
        optional("enable_resource_name_dns_a_record_on_launch", Bool(), default=False),
        optional("enable_resource_name_dns_aaaa_record_on_launch", Bool(), default=False),
        optional("ipv6_cidr_block", String()),  # not computed in v5: null when unset
        computed("ipv6_cidr_block_association_id", String()),
        optional("ipv6_native", Bool(), default=False, force_new=True),
        optional("map_customer_owned_ip_on_launch", Bool()),
        optional("map_public_ip_on_launch", Bool(), default=False),
        optional("outpost_arn", String()),
        computed("owner_id", String()),
        optional("private_dns_hostname_type_on_launch", String(), computed=True),
        *tags_attributes(),
        required("vpc_id", String(), force_new=True),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args: dict = {
            "VpcId": planned["vpc_id"],
            "TagSpecifications": tag_specifications("subnet", planned["tags_all"]),
        }
        for attr, arg in (
            ("cidr_block", "CidrBlock"),
            ("availability_zone", "AvailabilityZone"),
            ("availability_zone_id", "AvailabilityZoneId"),
            ("ipv6_cidr_block", "Ipv6CidrBlock"),
            ("outpost_arn", "OutpostArn"),
        ):
            if known(planned[attr]):
                args[arg] = planned[attr]
        if planned["ipv6_native"]:
            args["Ipv6Native"] = True
        subnet_id = self.client.create_subnet(**args)["Subnet"]["SubnetId"]
        ctx.partial_state = {**planned, "id": subnet_id}
        wait_for(lambda: self._find(subnet_id)["State"] == "available", what=f"subnet {subnet_id} to be available")
        for attr, param in self._BOOL_ATTRIBUTES.items():
            if planned[attr]:
                self.client.modify_subnet_attribute(SubnetId=subnet_id, **{param: {"Value": True}})
        return self.read(ctx, {**planned, "id": subnet_id})

    def _find(self, subnet_id: str) -> dict:
        return describe_one(
            self.client, "describe_subnets", "Subnets", ("InvalidSubnetID.NotFound",), SubnetIds=[subnet_id]
        )

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        subnet = self._find(current["id"])
        ipv6 = next(
            (
                a
                for a in subnet.get("Ipv6CidrBlockAssociationSet", [])
                if a.get("Ipv6CidrBlockState", {}).get("State") == "associated"
            ),
            None,
        )
        dns = subnet.get("PrivateDnsNameOptionsOnLaunch", {})
        state = dict(current)
        state.update(
            arn=subnet.get("SubnetArn") or self.arn("ec2", f"subnet/{current['id']}"),
            vpc_id=subnet["VpcId"],
            cidr_block=subnet.get("CidrBlock"),
            availability_zone=subnet.get("AvailabilityZone", ""),
            availability_zone_id=subnet.get("AvailabilityZoneId", ""),
            map_public_ip_on_launch=bool(subnet.get("MapPublicIpOnLaunch")),
            assign_ipv6_address_on_creation=bool(subnet.get("AssignIpv6AddressOnCreation")),
            ipv6_native=bool(subnet.get("Ipv6Native")),
            enable_dns64=bool(subnet.get("EnableDns64")),
            enable_lni_at_device_index=subnet.get("EnableLniAtDeviceIndex", 0),
            enable_resource_name_dns_a_record_on_launch=bool(dns.get("EnableResourceNameDnsARecord")),
            enable_resource_name_dns_aaaa_record_on_launch=bool(dns.get("EnableResourceNameDnsAAAARecord")),
            private_dns_hostname_type_on_launch=dns.get("HostnameType", "ip-name"),
            ipv6_cidr_block=ipv6["Ipv6CidrBlock"] if ipv6 else None,  # null when unset, as planned
            ipv6_cidr_block_association_id=ipv6["AssociationId"] if ipv6 else "",
            owner_id=subnet.get("OwnerId", ""),
            outpost_arn=subnet.get("OutpostArn", current["outpost_arn"]),
        )
        return self.set_tags_from_aws(state, aws_tags(subnet))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        subnet_id = prior["id"]
        for attr, param in self._BOOL_ATTRIBUTES.items():
            if known(planned[attr]) and planned[attr] != prior[attr]:
                self.client.modify_subnet_attribute(SubnetId=subnet_id, **{param: {"Value": planned[attr]}})
        update_tags(self, subnet_id, prior, planned)
        return self.read(ctx, {**planned, "id": subnet_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        subnet_id = current["id"]
        delete_with_retry(
            lambda: self.client.delete_subnet(SubnetId=subnet_id),
            f"subnet {subnet_id}",
            gone_codes=("InvalidSubnetID.NotFound",),
        )


class InternetGateway(AwsResource):
    type_name = "aws_internet_gateway"
    service = "ec2"
    schema = resource_schema(
        computed("arn", String()),
        computed("owner_id", String()),
        *tags_attributes(),
        optional("vpc_id", String()),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        igw = self.client.create_internet_gateway(
            TagSpecifications=tag_specifications("internet-gateway", planned["tags_all"])
        )["InternetGateway"]
        igw_id = igw["InternetGatewayId"]
        ctx.partial_state = {**planned, "id": igw_id, "vpc_id": None}
        if planned["vpc_id"]:
            self.client.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=planned["vpc_id"])
        return self.read(ctx, {**planned, "id": igw_id})

    def _find(self, igw_id: str) -> dict:
        return describe_one(
            self.client,
            "describe_internet_gateways",
            "InternetGateways",
            ("InvalidInternetGatewayID.NotFound",),
            InternetGatewayIds=[igw_id],
        )

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        igw = self._find(current["id"])
        attached = [a["VpcId"] for a in igw.get("Attachments", []) if a.get("State") in ("available", "attached")]
        owner = igw.get("OwnerId") or self.provider.account_id()
        state = dict(current)
        state.update(
            arn=self.arn("ec2", f"internet-gateway/{current['id']}", account=owner),
            owner_id=owner,
            vpc_id=attached[0] if attached else None,
        )
        return self.set_tags_from_aws(state, aws_tags(igw))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        igw_id = prior["id"]
        if planned["vpc_id"] != prior["vpc_id"]:
            if prior["vpc_id"]:
                self.client.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=prior["vpc_id"])
            if planned["vpc_id"]:
                self.client.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=planned["vpc_id"])
        update_tags(self, igw_id, prior, planned)
        return self.read(ctx, {**planned, "id": igw_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        igw_id = current["id"]
        try:
            igw = self._find(igw_id)
        except NotFound:
            return
        for attachment in igw.get("Attachments", []):
            ignore_codes(
                lambda a=attachment: self.client.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=a["VpcId"]),
                "Gateway.NotAttached",
            )
        delete_with_retry(
            lambda: self.client.delete_internet_gateway(InternetGatewayId=igw_id),
            f"internet gateway {igw_id}",
            gone_codes=("InvalidInternetGatewayID.NotFound",),
        )


RESOURCES = [Vpc, Subnet, InternetGateway]
