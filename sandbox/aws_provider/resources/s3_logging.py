"""S3 bucket policy, lifecycle and server access logging: aws_s3_bucket_policy,
aws_s3_bucket_lifecycle_configuration, aws_s3_bucket_logging.

Schemas follow internal/service/s3/bucket_policy.go, bucket_lifecycle_configuration.go and
bucket_logging.go (v5). Logging: ``target_bucket`` and ``target_prefix``; not implemented:
``target_grant``, ``target_object_key_format`` (moto, like S3, then requires the target bucket's
policy to let logging.s3.amazonaws.com write under the prefix).
The policy keeps its configured text while S3 holds an equivalent document. Lifecycle rules:
``id``, ``status``, ``filter`` (``prefix`` only), ``expiration`` (``days``),
``noncurrent_version_expiration`` (``noncurrent_days``), ``abort_incomplete_multipart_upload``.
Not implemented: transitions, tag/size filters, ``and``, ``transition_default_minimum_object_size``.
"""

from ..base import ResourceContext, ignore_codes, known, not_found_on
from ..blocks import ListNestedBlock
from ..errors import NotFound
from ..schema import optional, required, resource_schema
from ..types import Number, String
from ._json import state_json
from .s3 import _NO_BUCKET, _BucketConfig, bucket_of, owner_args


class BucketPolicy(_BucketConfig):
    type_name = "aws_s3_bucket_policy"
    schema = resource_schema(
        required("bucket", String(), force_new=True),
        required("policy", String()),
    )

    def put(self, planned: dict) -> None:
        self.client.put_bucket_policy(Bucket=planned["bucket"], Policy=planned["policy"])

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = bucket_of(current)
        policy = not_found_on(lambda: self.client.get_bucket_policy(Bucket=name), *_NO_BUCKET, "NoSuchBucketPolicy")[
            "Policy"
        ]
        return {**current, "id": name, "bucket": name, "policy": state_json(current["policy"], policy, policy=True)}

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.delete_bucket_policy(Bucket=bucket_of(current)), *_NO_BUCKET)


class BucketLifecycleConfiguration(_BucketConfig):
    type_name = "aws_s3_bucket_lifecycle_configuration"
    schema = resource_schema(
        required("bucket", String(), force_new=True),
        optional("expected_bucket_owner", String(), force_new=True),
        ListNestedBlock(
            "rule",
            [
                required("id", String()),
                optional("prefix", String(), computed=True),
                required("status", String()),
            ],
            [
                ListNestedBlock("filter", [optional("prefix", String(), computed=True)], max_items=1),
                ListNestedBlock("expiration", [optional("days", Number(), computed=True)], max_items=1),
                ListNestedBlock(
                    "noncurrent_version_expiration",
                    [optional("noncurrent_days", Number()), optional("newer_noncurrent_versions", String())],
                    max_items=1,
                ),
                ListNestedBlock(
                    "abort_incomplete_multipart_upload",
                    [optional("days_after_initiation", Number())],
                    max_items=1,
                ),
            ],
            min_items=1,
        ),
    )

    def put(self, planned: dict) -> None:
        rules = []
        for rule in planned["rule"]:
            item: dict = {"ID": rule["id"], "Status": rule["status"]}
            flt = (rule["filter"] or [None])[0]
            item["Filter"] = {"Prefix": (flt or {}).get("prefix") or ""}
            if rule["expiration"] and known(rule["expiration"][0]["days"]):
                item["Expiration"] = {"Days": int(rule["expiration"][0]["days"])}
            if rule["noncurrent_version_expiration"]:
                item["NoncurrentVersionExpiration"] = {
                    "NoncurrentDays": int(rule["noncurrent_version_expiration"][0]["noncurrent_days"])
                }
            if rule["abort_incomplete_multipart_upload"]:
                item["AbortIncompleteMultipartUpload"] = {
                    "DaysAfterInitiation": int(rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"])
                }
            rules.append(item)
        self.client.put_bucket_lifecycle_configuration(
            Bucket=planned["bucket"], LifecycleConfiguration={"Rules": rules}, **owner_args(planned)
        )

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = bucket_of(current)
        rules = not_found_on(
            lambda: self.client.get_bucket_lifecycle_configuration(Bucket=name, **owner_args(current)),
            *_NO_BUCKET,
            "NoSuchLifecycleConfiguration",
        )["Rules"]
        prior = {r["id"]: r for r in current["rule"] or [] if known(r.get("id"))}
        state_rules = []
        for rule in rules:
            before = prior.get(rule["ID"], {})
            noncurrent = rule.get("NoncurrentVersionExpiration")
            abort = rule.get("AbortIncompleteMultipartUpload")
            expiration = rule.get("Expiration")
            state_rules.append(
                {
                    "id": rule["ID"],
                    "prefix": rule.get("Prefix", ""),
                    "status": rule["Status"],
                    "filter": [{"prefix": (rule.get("Filter") or {}).get("Prefix", "")}]
                    if before.get("filter")
                    else [],
                    "expiration": [{"days": expiration.get("Days", 0)}] if expiration else [],
                    "noncurrent_version_expiration": [
                        {
                            "noncurrent_days": noncurrent.get("NoncurrentDays"),
                            "newer_noncurrent_versions": (before.get("noncurrent_version_expiration") or [{}])[0].get(
                                "newer_noncurrent_versions"
                            ),
                        }
                    ]
                    if noncurrent
                    else [],
                    "abort_incomplete_multipart_upload": [{"days_after_initiation": abort.get("DaysAfterInitiation")}]
                    if abort
                    else [],
                }
            )
        return {**current, "id": name, "bucket": name, "rule": state_rules}

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self.client.delete_bucket_lifecycle(Bucket=bucket_of(current)), *_NO_BUCKET)


class BucketLogging(_BucketConfig):
    type_name = "aws_s3_bucket_logging"
    schema = resource_schema(
        required("bucket", String(), force_new=True),
        optional("expected_bucket_owner", String(), force_new=True),
        required("target_bucket", String()),
        required("target_prefix", String()),
    )

    def put(self, planned: dict) -> None:
        status = {
            "LoggingEnabled": {"TargetBucket": planned["target_bucket"], "TargetPrefix": planned["target_prefix"]}
        }
        self.client.put_bucket_logging(Bucket=planned["bucket"], BucketLoggingStatus=status, **owner_args(planned))

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = bucket_of(current)
        found = not_found_on(lambda: self.client.get_bucket_logging(Bucket=name, **owner_args(current)), *_NO_BUCKET)
        enabled = found.get("LoggingEnabled")
        if not enabled:
            raise NotFound(name)
        return {**current, "id": name, "bucket": name, "target_bucket": enabled["TargetBucket"],
                "target_prefix": enabled.get("TargetPrefix", "")}  # fmt: skip

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(
            lambda: self.client.put_bucket_logging(Bucket=bucket_of(current), BucketLoggingStatus={}), *_NO_BUCKET
        )


RESOURCES = [BucketPolicy, BucketLifecycleConfiguration, BucketLogging]
