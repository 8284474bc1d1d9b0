"""CloudWatch Logs: aws_cloudwatch_log_group (CloudWatch Logs API).

Schema follows internal/service/logs/group.go (v5): ``retention_in_days`` defaults to 0 (never
expire), ``arn`` has no ``:*`` suffix, ``skip_destroy`` leaves the group in AWS on destroy.
moto 5.2.5 does not keep ``log_group_class`` (the configured value, default STANDARD, is kept)
and has no AssociateKmsKey/DisassociateKmsKey: changing ``kms_key_id`` of an existing group
fails with an explanation instead of pretending.
"""

from typing import Any

from ..base import AwsResource, ResourceContext, find_in_pages, ignore_codes, known, planned_name, wait_gone
from ..errors import ProviderError, client_error_code
from ..schema import computed, optional, resource_schema, tags_attributes
from ..types import Bool, Number, String
from ._data_common import conflicting

_NOT_FOUND = ("ResourceNotFoundException",)
_RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def trim_wildcard(arn: str) -> str:
    return arn[:-2] if arn.endswith(":*") else arn


class LogGroup(AwsResource):
    type_name = "aws_cloudwatch_log_group"
    service = "logs"
    schema = resource_schema(
        computed("arn", String()),
        optional("kms_key_id", String()),
        optional("log_group_class", String(), computed=True, force_new=True),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("retention_in_days", Number(), default=0),
        optional("skip_destroy", Bool(), default=False),
        *tags_attributes(),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        days = config.get("retention_in_days")
        if isinstance(days, (int, float)) and days not in _RETENTION_DAYS:
            diags.add_error(
                f"expected retention_in_days to be one of {list(_RETENTION_DAYS)}, got {days}",
                path=["retention_in_days"],
            )
        klass = config.get("log_group_class")
        if isinstance(klass, str) and klass not in ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY"):
            diags.add_error(
                f'expected log_group_class to be one of ["DELIVERY" "INFREQUENT_ACCESS" "STANDARD"], got {klass}',
                path=["log_group_class"],
            )

    def _find(self, name: str) -> dict:
        return find_in_pages(
            self.client,
            "describe_log_groups",
            "logGroups",
            lambda group: group["logGroupName"] == name,
            logGroupNamePrefix=name,
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        args: dict[str, Any] = {"logGroupName": name}
        if known(planned["log_group_class"]):
            args["logGroupClass"] = planned["log_group_class"]
        if planned["kms_key_id"]:
            args["kmsKeyId"] = planned["kms_key_id"]
        if planned["tags_all"]:
            args["tags"] = dict(planned["tags_all"])
        self.client.create_log_group(**args)
        state = {**planned, "id": name, "name": name}
        ctx.partial_state = state
        if planned["retention_in_days"]:
            self.client.put_retention_policy(logGroupName=name, retentionInDays=int(planned["retention_in_days"]))
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        group = self._find(name)
        arn = trim_wildcard(group.get("logGroupArn") or group.get("arn") or self.arn("logs", f"log-group:{name}"))
        tags = self.client.list_tags_for_resource(resourceArn=arn).get("tags", {})
        prior_class = current.get("log_group_class")
        state = dict(current)
        state.update(
            id=name,
            name=name,
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else None,
            arn=arn,
            kms_key_id=group.get("kmsKeyId", ""),
            # moto does not keep the class; AWS reports STANDARD unless another class was chosen.
            log_group_class=group.get("logGroupClass") or (prior_class if known(prior_class) else "STANDARD"),
            retention_in_days=group.get("retentionInDays") or 0,
            skip_destroy=current["skip_destroy"] if current["skip_destroy"] is not None else False,
        )
        return self.set_tags_from_aws(state, tags)

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        from botocore.exceptions import ClientError

        name = prior["id"]
        if planned["retention_in_days"] != prior["retention_in_days"]:
            if planned["retention_in_days"]:
                self.client.put_retention_policy(logGroupName=name, retentionInDays=int(planned["retention_in_days"]))
            else:
                self.client.delete_retention_policy(logGroupName=name)
        if (planned["kms_key_id"] or "") != (prior["kms_key_id"] or ""):
            try:
                if planned["kms_key_id"]:
                    self.client.associate_kms_key(logGroupName=name, kmsKeyId=planned["kms_key_id"])
                else:
                    self.client.disassociate_kms_key(logGroupName=name)
            except ClientError as exc:
                if client_error_code(exc) not in ("500", "InternalFailure", "NotImplemented"):
                    raise
                raise ProviderError(
                    f"updating aws_cloudwatch_log_group ({name}): the sandbox cloud (moto) cannot change "
                    "the KMS key of an existing log group",
                    "moto implements neither AssociateKmsKey nor DisassociateKmsKey. Re-create the log "
                    f"group instead: terraform apply -replace=<address of {name}>.",
                ) from exc
        arn = prior["arn"]
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(resourceArn=arn, tagKeys=keys),
            tag=lambda tags: self.client.tag_resource(resourceArn=arn, tags=tags),
        )
        return self.read(ctx, {**planned, "id": name})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        if current["skip_destroy"]:
            return  # like the real provider: only forget it
        if ignore_codes(lambda: self.client.delete_log_group(logGroupName=name), *_NOT_FOUND) is None:
            return
        wait_gone(lambda: self._find(name), what=f"log group {name} to be deleted")


RESOURCES = [LogGroup]
