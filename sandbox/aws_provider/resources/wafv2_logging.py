"""aws_wafv2_web_acl_logging_configuration: where a web ACL's request logs go (WAFv2 API).

Schema follows internal/service/wafv2/web_acl_logging_configuration.go (v5): ``resource_arn`` (the
web ACL), ``log_destination_configs`` (one S3 bucket ``aws-waf-logs-*``, log group or Firehose
stream), ``redacted_fields`` (``single_header`` only here). ``id`` is the web ACL's ARN.
Not implemented: ``logging_filter``, redacting ``method``/``query_string``/``uri_path``.
"""

from ..base import AwsResource, ResourceContext, ignore_codes, not_found_on
from ..blocks import ListNestedBlock
from ..schema import required, resource_schema
from ..types import Set, String

_NOT_FOUND = ("WAFNonexistentItemException",)


class WebAclLoggingConfiguration(AwsResource):
    type_name = "aws_wafv2_web_acl_logging_configuration"
    service = "wafv2"
    schema = resource_schema(
        required("resource_arn", String(), force_new=True),
        required("log_destination_configs", Set(String())),
        ListNestedBlock(
            "redacted_fields",
            [],
            [ListNestedBlock("single_header", [required("name", String())], max_items=1)],
            max_items=100,
        ),
    )

    def _put(self, planned: dict) -> None:
        config = {
            "ResourceArn": planned["resource_arn"],
            "LogDestinationConfigs": sorted(planned["log_destination_configs"]),
        }
        redacted = [
            {"SingleHeader": {"Name": field["single_header"][0]["name"]}}
            for field in planned["redacted_fields"] or []
            if field["single_header"]
        ]
        if redacted:
            config["RedactedFields"] = redacted
        self.client.put_logging_configuration(LoggingConfiguration=config)

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        self._put(planned)
        ctx.partial_state = {**planned, "id": planned["resource_arn"]}
        return self.read(ctx, {**planned, "id": planned["resource_arn"]})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        config = not_found_on(lambda: self.client.get_logging_configuration(ResourceArn=current["id"]), *_NOT_FOUND)[
            "LoggingConfiguration"
        ]
        redacted = [
            {"single_header": [{"name": field["SingleHeader"]["Name"]}]}
            for field in config.get("RedactedFields") or []
            if "SingleHeader" in field
        ]
        return {
            **current,
            "resource_arn": config["ResourceArn"],
            "log_destination_configs": list(config.get("LogDestinationConfigs") or []),
            "redacted_fields": redacted,
        }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        self._put(planned)
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.delete_logging_configuration(ResourceArn=current["id"]), *_NOT_FOUND)


RESOURCES = [WebAclLoggingConfiguration]
