"""aws_flow_log: VPC, subnet or network-interface flow logs (EC2 API).

Schema follows internal/service/ec2/vpc_flow_log.go (v5): ``log_destination_type`` defaults to
"cloud-watch-logs", ``max_aggregation_interval`` to 600, every argument forces a replacement
but the tags. moto refuses an S3 destination bucket that does not exist, as AWS does.
Not implemented: ``destination_options``, transit gateway flow logs, ``deliver_cross_account_role``.
"""

from ..base import AwsResource, ResourceContext, describe_one, ignore_codes, wait_gone
from ..errors import ProviderError
from ..schema import computed, optional, resource_schema, tags_attributes
from ..types import Number, String
from ._ec2 import aws_tags, tag_specifications, update_tags

_TARGETS = (("vpc_id", "VPC"), ("subnet_id", "Subnet"), ("eni_id", "NetworkInterface"))


class FlowLog(AwsResource):
    type_name = "aws_flow_log"
    service = "ec2"
    schema = resource_schema(
        computed("arn", String()),
        optional("eni_id", String(), force_new=True),
        optional("iam_role_arn", String(), force_new=True),
        optional("log_destination", String(), computed=True, force_new=True),
        optional("log_destination_type", String(), default="cloud-watch-logs", force_new=True),
        optional("log_format", String(), computed=True, force_new=True),
        optional("log_group_name", String(), computed=True, force_new=True),
        optional("max_aggregation_interval", Number(), default=600, force_new=True),
        optional("subnet_id", String(), force_new=True),
        *tags_attributes(),
        optional("traffic_type", String(), force_new=True),
        optional("vpc_id", String(), force_new=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        if sum(config.get(attr) is not None for attr, _ in _TARGETS) != 1:
            diags.add_error('aws_flow_log: exactly one of "eni_id", "subnet_id" or "vpc_id" must be given')

    def _find(self, flow_log_id: str) -> dict:
        return describe_one(self.client, "describe_flow_logs", "FlowLogs", (), FlowLogIds=[flow_log_id])

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        attr, kind = next((a, k) for a, k in _TARGETS if planned[a])
        args = {
            "ResourceIds": [planned[attr]],
            "ResourceType": kind,
            "TrafficType": planned["traffic_type"] or "ALL",
            "LogDestinationType": planned["log_destination_type"],
            "MaxAggregationInterval": int(planned["max_aggregation_interval"]),
            "TagSpecifications": tag_specifications("vpc-flow-log", planned["tags_all"]),
        }
        for key, name in (
            ("log_destination", "LogDestination"),
            ("log_group_name", "LogGroupName"),
            ("log_format", "LogFormat"),
            ("iam_role_arn", "DeliverLogsPermissionArn"),
        ):
            if isinstance(planned[key], str) and planned[key]:
                args[name] = planned[key]
        answer = self.client.create_flow_logs(**args)
        if answer.get("Unsuccessful"):
            error = answer["Unsuccessful"][0].get("Error", {})
            raise ProviderError(f"creating aws_flow_log: {error.get('Code')}: {error.get('Message')}")
        flow_log_id = answer["FlowLogIds"][0]
        ctx.partial_state = {**planned, "id": flow_log_id}
        return self.read(ctx, {**planned, "id": flow_log_id})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        flow_log = self._find(current["id"])
        resource_id = flow_log.get("ResourceId", "")
        prefix_attr = {"vpc-": "vpc_id", "subnet-": "subnet_id", "eni-": "eni_id"}
        target = next((attr for prefix, attr in prefix_attr.items() if resource_id.startswith(prefix)), "vpc_id")
        state = dict(current)
        state.update(
            arn=self.arn("ec2", f"vpc-flow-log/{current['id']}"),
            log_destination=flow_log.get("LogDestination") or "",
            log_destination_type=flow_log.get("LogDestinationType", "cloud-watch-logs"),
            log_format=flow_log.get("LogFormat", ""),
            log_group_name=flow_log.get("LogGroupName") or "",
            max_aggregation_interval=flow_log.get("MaxAggregationInterval", 600),
            traffic_type=flow_log.get("TrafficType", ""),
            iam_role_arn=flow_log.get("DeliverLogsPermissionArn") or current["iam_role_arn"],
        )
        state[target] = resource_id
        return self.set_tags_from_aws(state, aws_tags(flow_log))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        update_tags(self, prior["id"], prior, planned)
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.delete_flow_logs(FlowLogIds=[current["id"]]), "InvalidFlowLogId.NotFound")
        wait_gone(lambda: self._find(current["id"]), what=f"flow log {current['id']} to be deleted")


RESOURCES = [FlowLog]
