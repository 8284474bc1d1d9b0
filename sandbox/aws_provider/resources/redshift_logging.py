"""aws_redshift_logging: where a Redshift cluster's audit logs go (EnableLogging / DescribeLoggingStatus).

Schema follows internal/service/redshift/logging.go (v5.61+, the replacement of the cluster's deprecated
``logging`` block): ``cluster_identifier``, ``log_destination_type`` (``s3`` or ``cloudwatch``),
``log_exports`` (``connectionlog``, ``userlog``, ``useractivitylog``), ``bucket_name``, ``s3_key_prefix``.
``id`` is the cluster identifier. A cluster whose logging is off reads as gone, as in the real provider.
"""

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema
from ..types import Set, String

_NO_CLUSTER = ("ClusterNotFound", "ClusterNotFoundFault")
DESTINATION_TYPES = ("s3", "cloudwatch")
LOG_TYPES = ("connectionlog", "userlog", "useractivitylog")


class RedshiftLogging(AwsResource):
    type_name = "aws_redshift_logging"
    service = "redshift"
    schema = resource_schema(
        computed("id", String()),
        required("cluster_identifier", String(), force_new=True),
        optional("bucket_name", String()),
        optional("log_destination_type", String()),
        optional("log_exports", Set(String())),
        optional("s3_key_prefix", String()),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        destination, exports = config.get("log_destination_type"), config.get("log_exports")
        if known(destination) and destination is not None and destination not in DESTINATION_TYPES:
            diags.add_error(f'expected log_destination_type to be one of {list(DESTINATION_TYPES)}, got "{destination}"',
                            path=["log_destination_type"])  # fmt: skip
        for log_type in exports if known(exports) and exports else ():
            if known(log_type) and log_type not in LOG_TYPES:
                diags.add_error(f'expected log_exports to be one of {list(LOG_TYPES)}, got "{log_type}"',
                                path=["log_exports"])  # fmt: skip

    def _enable(self, planned: dict) -> None:
        args = {"ClusterIdentifier": planned["cluster_identifier"]}
        for attr, arg in (("bucket_name", "BucketName"), ("log_destination_type", "LogDestinationType"),
                          ("s3_key_prefix", "S3KeyPrefix")):  # fmt: skip
            if planned[attr]:
                args[arg] = planned[attr]
        if planned["log_exports"]:
            args["LogExports"] = sorted(planned["log_exports"])
        self.client.enable_logging(**args)

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        self._enable(planned)
        state = {**planned, "id": planned["cluster_identifier"]}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        status = not_found_on(
            lambda: self.client.describe_logging_status(ClusterIdentifier=current["id"]), *_NO_CLUSTER
        )
        if not status.get("LoggingEnabled"):
            raise NotFound(current["id"])
        return {
            **current,
            "cluster_identifier": current["id"],
            "bucket_name": status.get("BucketName") or None,
            "log_destination_type": status.get("LogDestinationType") or None,
            "log_exports": sorted(status.get("LogExports") or []) or None,
            "s3_key_prefix": status.get("S3KeyPrefix") or None,
        }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        self._enable(planned)
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.disable_logging(ClusterIdentifier=current["id"]), *_NO_CLUSTER)


RESOURCES = [RedshiftLogging]
