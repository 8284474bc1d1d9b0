"""Routing: aws_route_table (with its inline ``route`` set) and aws_route_table_association.

Schemas follow internal/service/ec2/vpc_route_table.go and vpc_route_table_association.go (v5).
``route`` is, as in the real provider, a set-of-objects attribute in "attributes as blocks"
mode: write ``route { ... }`` blocks; the plan JSON shows an array of objects.
"""

from ..base import AwsResource, ResourceContext, describe_one, ignore_codes, known
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Object, Set, String
from ._ec2 import aws_tags, delete_with_retry, tag_specifications, update_tags

# route attribute -> (CreateRoute parameter, DescribeRouteTables field). The first three are
# destinations, the rest targets.
_DESTINATIONS = {
    "cidr_block": "DestinationCidrBlock",
    "ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "destination_prefix_list_id": "DestinationPrefixListId",
}
_TARGETS = {
    "carrier_gateway_id": "CarrierGatewayId",
    "core_network_arn": "CoreNetworkArn",
    "egress_only_gateway_id": "EgressOnlyInternetGatewayId",
    "gateway_id": "GatewayId",
    "local_gateway_id": "LocalGatewayId",
    "nat_gateway_id": "NatGatewayId",
    "network_interface_id": "NetworkInterfaceId",
    "transit_gateway_id": "TransitGatewayId",
    "vpc_endpoint_id": "VpcEndpointId",
    "vpc_peering_connection_id": "VpcPeeringConnectionId",
}
ROUTE = Object({name: String() for name in sorted({**_DESTINATIONS, **_TARGETS})})


def _route_key(route: dict) -> tuple:
    return tuple(route.get(name) or "" for name in _DESTINATIONS)


def _route_args(route: dict) -> dict:
    args = {param: route[attr] for attr, param in {**_DESTINATIONS, **_TARGETS}.items() if route.get(attr)}
    if "VpcEndpointId" in args:  # CreateRoute takes gateway endpoints as GatewayId
        args.setdefault("GatewayId", args.pop("VpcEndpointId"))
    return args


def _route_from_aws(route: dict) -> dict | None:
    gateway = route.get("GatewayId", "")
    if gateway == "local" or route.get("Origin") == "EnableVgwRoutePropagation":
        return None
    out = {name: route.get(field, "") for name, field in {**_DESTINATIONS, **_TARGETS}.items()}
    if gateway.startswith("vpce-"):
        out["gateway_id"], out["vpc_endpoint_id"] = "", gateway
    if route.get("InstanceId") and not out["network_interface_id"]:
        out["network_interface_id"] = route.get("NetworkInterfaceId", "")
    return out


class RouteTable(AwsResource):
    type_name = "aws_route_table"
    service = "ec2"
    schema = resource_schema(
        computed("arn", String()),
        computed("owner_id", String()),
        optional("propagating_vgws", Set(String()), computed=True),
        optional("route", Set(ROUTE), computed=True),
        *tags_attributes(),
        required("vpc_id", String(), force_new=True),
    )

    def _find(self, rt_id: str) -> dict:
        return describe_one(
            self.client,
            "describe_route_tables",
            "RouteTables",
            ("InvalidRouteTableID.NotFound",),
            RouteTableIds=[rt_id],
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        rt_id = self.client.create_route_table(
            VpcId=planned["vpc_id"], TagSpecifications=tag_specifications("route-table", planned["tags_all"])
        )["RouteTable"]["RouteTableId"]
        ctx.partial_state = {**planned, "id": rt_id, "route": []}
        self._sync_routes(rt_id, [], planned["route"] if known(planned["route"]) else [])
        for vgw in planned["propagating_vgws"] if known(planned["propagating_vgws"]) else []:
            self.client.enable_vgw_route_propagation(RouteTableId=rt_id, GatewayId=vgw)
        return self.read(ctx, {**planned, "id": rt_id})

    def _sync_routes(self, rt_id: str, old: list[dict], new: list[dict]) -> None:
        old_by_key = {_route_key(r): r for r in old}
        new_by_key = {_route_key(r): r for r in new}
        for key, route in old_by_key.items():
            if key not in new_by_key:
                args = {k: v for k, v in _route_args(route).items() if k in _DESTINATIONS.values()}
                ignore_codes(lambda a=args: self.client.delete_route(RouteTableId=rt_id, **a), "InvalidRoute.NotFound")
        for key, route in new_by_key.items():
            if key not in old_by_key:
                self.client.create_route(RouteTableId=rt_id, **_route_args(route))
            elif old_by_key[key] != route:
                self.client.replace_route(RouteTableId=rt_id, **_route_args(route))

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        rt = self._find(current["id"])
        routes = [r for r in (_route_from_aws(x) for x in rt.get("Routes", [])) if r is not None]
        owner = rt.get("OwnerId") or self.provider.account_id()
        state = dict(current)
        state.update(
            arn=self.arn("ec2", f"route-table/{current['id']}", account=owner),
            owner_id=owner,
            vpc_id=rt["VpcId"],
            route=routes,
            propagating_vgws=[v["GatewayId"] for v in rt.get("PropagatingVgws", [])],
        )
        return self.set_tags_from_aws(state, aws_tags(rt))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        rt_id = prior["id"]
        if known(planned["route"]):
            self._sync_routes(rt_id, prior["route"] or [], planned["route"])
        update_tags(self, rt_id, prior, planned)
        return self.read(ctx, {**planned, "id": rt_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        rt_id = current["id"]
        try:
            rt = self._find(rt_id)
        except NotFound:
            return
        for association in rt.get("Associations", []):
            if not association.get("Main"):
                ignore_codes(
                    lambda a=association: self.client.disassociate_route_table(
                        AssociationId=a["RouteTableAssociationId"]
                    ),
                    "InvalidAssociationID.NotFound",
                )
        delete_with_retry(
            lambda: self.client.delete_route_table(RouteTableId=rt_id),
            f"route table {rt_id}",
            gone_codes=("InvalidRouteTableID.NotFound",),
        )


class RouteTableAssociation(AwsResource):
    type_name = "aws_route_table_association"
    service = "ec2"
    schema = resource_schema(
        optional("gateway_id", String(), force_new=True),
        required("route_table_id", String()),
        optional("subnet_id", String(), force_new=True),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args = {"RouteTableId": planned["route_table_id"]}
        if planned["subnet_id"]:
            args["SubnetId"] = planned["subnet_id"]
        if planned["gateway_id"]:
            args["GatewayId"] = planned["gateway_id"]
        association_id = self.client.associate_route_table(**args)["AssociationId"]
        return self.read(ctx, {**planned, "id": association_id})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        association_id = current["id"]
        tables = self.client.describe_route_tables(
            Filters=[{"Name": "association.route-table-association-id", "Values": [association_id]}]
        )["RouteTables"]
        for table in tables:
            for association in table.get("Associations", []):
                if association.get("RouteTableAssociationId") == association_id:
                    state = dict(current)
                    state.update(
                        route_table_id=association["RouteTableId"],
                        subnet_id=association.get("SubnetId") or current["subnet_id"],
                        gateway_id=association.get("GatewayId") or current["gateway_id"],
                    )
                    return state
        raise NotFound(association_id)

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        new_id = self.client.replace_route_table_association(
            AssociationId=prior["id"], RouteTableId=planned["route_table_id"]
        )["NewAssociationId"]
        return self.read(ctx, {**planned, "id": new_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(
            lambda: self.client.disassociate_route_table(AssociationId=current["id"]),
            "InvalidAssociationID.NotFound",
        )


RESOURCES = [RouteTable, RouteTableAssociation]
