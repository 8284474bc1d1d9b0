"""Step Functions: aws_sfn_state_machine (Step Functions API).

Schema follows internal/service/sfn/state_machine.go (v5): ``id`` is the ARN; ``type`` defaults
to STANDARD and forces a new machine; ``logging_configuration``, ``tracing_configuration`` and
``encryption_configuration`` are Optional+Computed blocks (unknown in the plan when left out of
a new machine, kept as read from AWS after); ``definition`` keeps the text as written while AWS
holds an equivalent document; ``description`` and the version attributes are computed.
moto 5.2.5 does not list versions: ``state_machine_version_arn`` stays empty even when published.
"""

import json
import re

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on, planned_name, wait_gone
from ..blocks import ListNestedBlock
from ..errors import NotFound, ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Number, String, Unknown
from ._data_common import conflicting
from ._json import equivalent, state_json

_GONE = ("StateMachineDoesNotExist",)
_NAME = re.compile(r"[0-9A-Za-z_-]{1,80}")
LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
_BLOCKS = ("encryption_configuration", "logging_configuration", "tracing_configuration")


def _configured(ctx: ResourceContext, name: str) -> bool:
    return isinstance(ctx.config, dict) and bool(ctx.config.get(name))


def _logging_to_api(block: dict) -> dict:
    out: dict = {}
    if block.get("level"):
        out["level"] = block["level"]
    if block.get("include_execution_data") is not None:
        out["includeExecutionData"] = bool(block["include_execution_data"])
    if block.get("log_destination"):
        out["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": block["log_destination"]}}]
    return out


def _logging_from_api(api: dict | None) -> list[dict]:
    if not api:
        return []
    destinations = api.get("destinations") or []
    group = (destinations[0].get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "") if destinations else ""
    return [
        {
            "include_execution_data": bool(api.get("includeExecutionData", False)),
            "level": api.get("level", ""),
            "log_destination": group,
        }
    ]


def _encryption_to_api(block: dict) -> dict:
    out: dict = {}
    if block.get("type"):
        out["type"] = block["type"]
    if block.get("kms_key_id"):
        out["kmsKeyId"] = block["kms_key_id"]
    if block.get("kms_data_key_reuse_period_seconds"):
        out["kmsDataKeyReusePeriodSeconds"] = int(block["kms_data_key_reuse_period_seconds"])
    return out


def _encryption_from_api(api: dict | None) -> list[dict]:
    if not api:
        return []
    return [
        {
            "kms_data_key_reuse_period_seconds": api.get("kmsDataKeyReusePeriodSeconds"),
            "kms_key_id": api.get("kmsKeyId", ""),
            "type": api.get("type", ""),
        }
    ]


class StateMachine(AwsResource):
    type_name = "aws_sfn_state_machine"
    service = "stepfunctions"
    schema = resource_schema(
        computed("arn", String()),
        computed("creation_date", String()),
        required("definition", String()),
        computed("description", String()),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("publish", Bool(), default=False),
        computed("revision_id", String()),
        required("role_arn", String()),
        computed("state_machine_version_arn", String()),
        computed("status", String()),
        *tags_attributes(),
        optional("type", String(), default="STANDARD", force_new=True),
        computed("version_description", String()),
        ListNestedBlock(
            "encryption_configuration",
            [
                optional("kms_data_key_reuse_period_seconds", Number()),
                optional("kms_key_id", String()),
                optional("type", String()),
            ],
            max_items=1,
            computed=True,
        ),
        ListNestedBlock(
            "logging_configuration",
            [
                optional("include_execution_data", Bool()),
                optional("level", String()),
                optional("log_destination", String()),
            ],
            max_items=1,
            computed=True,
        ),
        ListNestedBlock("tracing_configuration", [optional("enabled", Bool())], max_items=1, computed=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        name = config.get("name")
        if isinstance(name, str) and not _NAME.fullmatch(name):
            diags.add_error(
                f"invalid value for name (the name should only contain 0-9, A-Z, a-z, - and _), got {name}",
                path=["name"],
            )
        kind = config.get("type")
        if isinstance(kind, str) and kind not in ("STANDARD", "EXPRESS"):
            diags.add_error(f'expected type to be one of ["STANDARD" "EXPRESS"], got {kind}', path=["type"])
        for block in config.get("logging_configuration") or []:
            level = block.get("level") if isinstance(block, dict) else None
            if isinstance(level, str) and level not in LOG_LEVELS:
                diags.add_error(
                    f"expected level to be one of {list(LOG_LEVELS)}, got {level}",
                    path=["logging_configuration", "level"],
                )
        definition = config.get("definition")
        if isinstance(definition, str):
            try:
                json.loads(definition)
            except ValueError as exc:
                diags.add_error(f"invalid state machine definition: {exc}", path=["definition"])

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        for block in _BLOCKS:
            if not _configured(ctx, block):
                planned[block] = Unknown if prior is None else prior[block]
        if prior is not None:
            # A new definition is a new revision, and a new version when published.
            definition_changed = not equivalent(prior["definition"], planned["definition"])
            if definition_changed:
                planned["revision_id"] = Unknown
            if planned["publish"] and (definition_changed or planned["role_arn"] != prior["role_arn"]):
                planned["state_machine_version_arn"] = Unknown
        for block in planned["logging_configuration"] if isinstance(planned["logging_configuration"], list) else []:
            level, destination = block.get("level"), block.get("log_destination")
            if level not in (None, "OFF") and known(destination) and not destination:
                raise ProviderError(
                    "logging_configuration: a log_destination (a log group ARN ending in :*) is required "
                    f"when level is {level}",
                    path=["logging_configuration"],
                )
        return planned

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        args: dict = {
            "name": name,
            "definition": planned["definition"],
            "roleArn": planned["role_arn"],
            "type": planned["type"],
            "publish": bool(planned["publish"]),
        }
        if planned["tags_all"]:
            args["tags"] = [{"key": k, "value": v} for k, v in sorted(planned["tags_all"].items())]
        if _configured(ctx, "logging_configuration"):
            args["loggingConfiguration"] = _logging_to_api(planned["logging_configuration"][0])
        if _configured(ctx, "tracing_configuration"):
            args["tracingConfiguration"] = {"enabled": bool(planned["tracing_configuration"][0].get("enabled"))}
        if _configured(ctx, "encryption_configuration"):
            args["encryptionConfiguration"] = _encryption_to_api(planned["encryption_configuration"][0])
        arn = self.client.create_state_machine(**args)["stateMachineArn"]
        state = {**planned, "id": arn, "name": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def _describe(self, arn: str) -> dict:
        return not_found_on(lambda: self.client.describe_state_machine(stateMachineArn=arn), *_GONE)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        arn = current["id"]
        machine = self._describe(arn)
        if machine.get("status") == "DELETING":
            raise NotFound(arn)
        # moto 5.2.5 has no ListStateMachineVersions (it answers 500): no version known then.
        listed = ignore_codes(
            lambda: self.client.list_state_machine_versions(stateMachineArn=arn), "500", "InternalFailure"
        )
        versions = (listed or {}).get("stateMachineVersions", [])
        tags = self.client.list_tags_for_resource(resourceArn=arn).get("tags", [])
        prefix = current["name_prefix"]
        created = machine.get("creationDate")
        state = dict(current)
        state.update(
            arn=machine["stateMachineArn"],
            name=machine["name"],
            name_prefix=prefix if known(prefix) else "",
            creation_date=created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
            definition=state_json(current["definition"], machine.get("definition")),
            description=machine.get("description", ""),
            revision_id=machine.get("revisionId", ""),
            role_arn=machine.get("roleArn", ""),
            status=machine.get("status", ""),
            type=machine.get("type", "STANDARD"),
            publish=bool(current["publish"]),
            version_description=current["version_description"] if known(current["version_description"]) else "",
            state_machine_version_arn=versions[0]["stateMachineVersionArn"] if versions else "",
            logging_configuration=_logging_from_api(machine.get("loggingConfiguration")),
            tracing_configuration=[{"enabled": bool((machine.get("tracingConfiguration") or {}).get("enabled"))}]
            if machine.get("tracingConfiguration")
            else [],
            encryption_configuration=_encryption_from_api(machine.get("encryptionConfiguration")),
        )
        return self.set_tags_from_aws(state, {t["key"]: t.get("value", "") for t in tags})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        arn = prior["id"]
        changed = not equivalent(prior["definition"], planned["definition"]) or any(
            planned[a] != prior[a] for a in ("role_arn", "publish", *_BLOCKS)
        )
        if changed:
            args: dict = {
                "stateMachineArn": arn,
                "definition": planned["definition"],
                "roleArn": planned["role_arn"],
                "publish": bool(planned["publish"]),
            }
            if planned["logging_configuration"] != prior["logging_configuration"] and planned["logging_configuration"]:
                args["loggingConfiguration"] = _logging_to_api(planned["logging_configuration"][0])
            if planned["tracing_configuration"] != prior["tracing_configuration"] and planned["tracing_configuration"]:
                args["tracingConfiguration"] = {"enabled": bool(planned["tracing_configuration"][0].get("enabled"))}
            encryption = planned["encryption_configuration"]
            if encryption != prior["encryption_configuration"] and encryption:
                args["encryptionConfiguration"] = _encryption_to_api(encryption[0])
            self.client.update_state_machine(**args)
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(resourceArn=arn, tagKeys=keys),
            tag=lambda tags: self.client.tag_resource(
                resourceArn=arn, tags=[{"key": k, "value": v} for k, v in sorted(tags.items())]
            ),
        )
        return self.read(ctx, {**planned, "id": arn})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        arn = current["id"]
        ignore_codes(lambda: self.client.delete_state_machine(stateMachineArn=arn), *_GONE)

        def describe() -> object:
            machine = self._describe(arn)
            if machine.get("status") == "DELETING":
                raise NotFound(arn)
            return machine

        wait_gone(describe, what=f"Step Functions state machine {arn} to be deleted")


RESOURCES = [StateMachine]
