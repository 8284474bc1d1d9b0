"""EventBridge: aws_cloudwatch_event_rule and aws_cloudwatch_event_target (EventBridge API).

Schemas follow internal/service/events/rule.go and target.go (v5). A rule's ``id`` is its name
on the default bus, ``<bus>/<name>`` on another; ``state`` and the deprecated ``is_enabled``
are Optional (null in the plan when not written, read back from AWS after apply, and a later
null in the configuration is no diff, as the real provider's DiffSuppressFunc does). A target's
``id`` is ``<rule>-<target_id>`` (``<bus>-<rule>-<target_id>`` on another bus). Target blocks
the sandbox does not send (ECS, Batch, Redshift, SageMaker, AppSync targets) are in the schema,
so plans have the real shape, and refused when written.
"""

import json

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on, planned_name, wait_gone
from ..blocks import ListNestedBlock, SetNestedBlock
from ..errors import NotFound, ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, List, Map, Number, String
from ._data_common import conflicting
from ._json import equivalent, state_json

_GONE = ("ResourceNotFoundException",)
DEFAULT_BUS = "default"
RULE_STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


def _bus_args(bus: str | None) -> dict:
    return {"EventBusName": bus} if bus and bus != DEFAULT_BUS else {}


def rule_id(bus: str | None, name: str) -> str:
    return name if not bus or bus == DEFAULT_BUS else f"{bus}/{name}"


def parse_rule_id(id_: str) -> tuple[str, str]:
    bus, _, name = id_.rpartition("/")
    return (bus or DEFAULT_BUS), name


def _configured(ctx: ResourceContext, name: str) -> bool:
    return isinstance(ctx.config, dict) and ctx.config.get(name) is not None


class Rule(AwsResource):
    type_name = "aws_cloudwatch_event_rule"
    service = "events"
    schema = resource_schema(
        computed("arn", String()),
        optional("description", String()),
        optional("event_bus_name", String(), default=DEFAULT_BUS, force_new=True),
        optional("event_pattern", String()),
        optional("force_destroy", Bool(), default=False),
        optional("is_enabled", Bool()),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("role_arn", String()),
        optional("schedule_expression", String()),
        optional("state", String()),
        *tags_attributes(),
        version=1,
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"), ("state", "is_enabled"))
        if config.get("schedule_expression") is None and config.get("event_pattern") is None:
            diags.add_error(
                "Invalid combination of arguments",
                '"schedule_expression": one of `event_pattern,schedule_expression` must be specified',
                path=["schedule_expression"],
            )
        state = config.get("state")
        if isinstance(state, str) and state not in RULE_STATES:
            diags.add_error(f"expected state to be one of {list(RULE_STATES)}, got {state}", path=["state"])
        pattern = config.get("event_pattern")
        if isinstance(pattern, str):
            try:
                json.loads(pattern)
            except ValueError as exc:
                diags.add_error(f'"event_pattern" contains an invalid JSON: {exc}', path=["event_pattern"])

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        if prior is not None:
            # The real provider suppresses the diff when state/is_enabled leave the configuration.
            for attr in ("state", "is_enabled"):
                if not _configured(ctx, attr):
                    planned[attr] = prior[attr]
            if _configured(ctx, "state") and not _configured(ctx, "is_enabled"):
                planned["is_enabled"] = (
                    planned["state"] != "DISABLED" if known(planned["state"]) else prior["is_enabled"]
                )
            if _configured(ctx, "is_enabled") and not _configured(ctx, "state") and known(planned["is_enabled"]):
                planned["state"] = "ENABLED" if planned["is_enabled"] else "DISABLED"
        return planned

    def _put(self, ctx: ResourceContext, name: str, planned: dict, *, tags: bool) -> str:
        args: dict = {"Name": name, **_bus_args(planned["event_bus_name"])}
        for attr, api in (
            ("description", "Description"),
            ("event_pattern", "EventPattern"),
            ("role_arn", "RoleArn"),
            ("schedule_expression", "ScheduleExpression"),
        ):
            if planned[attr]:
                args[api] = planned[attr]
        if _configured(ctx, "state"):
            args["State"] = planned["state"]
        elif _configured(ctx, "is_enabled"):
            args["State"] = "ENABLED" if planned["is_enabled"] else "DISABLED"
        if tags and planned["tags_all"]:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(planned["tags_all"].items())]
        return self.client.put_rule(**args)["RuleArn"]

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        self._put(ctx, name, planned, tags=True)
        state = {**planned, "id": rule_id(planned["event_bus_name"], name), "name": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def _describe(self, id_: str) -> dict:
        bus, name = parse_rule_id(id_)
        return not_found_on(lambda: self.client.describe_rule(Name=name, **_bus_args(bus)), *_GONE)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        rule = self._describe(current["id"])
        bus, name = parse_rule_id(current["id"])
        tags = self.client.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
        prefix = current["name_prefix"]
        aws_state = rule.get("State", "ENABLED")
        pattern = rule.get("EventPattern")
        state = dict(current)
        state.update(
            id=current["id"],
            name=name,
            name_prefix=prefix if known(prefix) else "",
            arn=rule["Arn"],
            event_bus_name=bus,
            description=rule.get("Description", ""),
            event_pattern=state_json(current["event_pattern"], pattern) if pattern else None,
            role_arn=rule.get("RoleArn", ""),
            schedule_expression=rule.get("ScheduleExpression", ""),
            state=aws_state,
            is_enabled=aws_state != "DISABLED",
            force_destroy=bool(current["force_destroy"]),
        )
        return self.set_tags_from_aws(state, {t["Key"]: t.get("Value", "") for t in tags})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        _, name = parse_rule_id(prior["id"])
        changed = [
            a
            for a in ("description", "event_pattern", "role_arn", "schedule_expression", "state", "is_enabled")
            if (planned[a] or None) != (prior[a] or None)
            and not (a == "event_pattern" and equivalent(prior[a], planned[a]))
        ]
        if changed:
            self._put(ctx, name, planned, tags=False)
        arn = prior["arn"]
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: self.client.tag_resource(
                ResourceARN=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())]
            ),
        )
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        bus, name = parse_rule_id(current["id"])
        args = {"Name": name, **_bus_args(bus)}
        if current["force_destroy"]:
            args["Force"] = True
        ignore_codes(lambda: self.client.delete_rule(**args), *_GONE)
        wait_gone(lambda: self._describe(current["id"]), what=f"EventBridge rule {name} to be deleted")


# Target blocks sent to EventBridge: Terraform block -> (API key, {attribute: API key}).
_SENT_BLOCKS = {
    "dead_letter_config": ("DeadLetterConfig", {"arn": "Arn"}),
    "retry_policy": (
        "RetryPolicy",
        {"maximum_event_age_in_seconds": "MaximumEventAgeInSeconds", "maximum_retry_attempts": "MaximumRetryAttempts"},
    ),
    "sqs_target": ("SqsParameters", {"message_group_id": "MessageGroupId"}),
    "kinesis_target": ("KinesisParameters", {"partition_key_path": "PartitionKeyPath"}),
    "input_transformer": ("InputTransformer", {"input_paths": "InputPathsMap", "input_template": "InputTemplate"}),
}
_REFUSED_BLOCKS = (
    "appsync_target",
    "batch_target",
    "ecs_target",
    "http_target",
    "redshift_target",
    "run_command_targets",
    "sagemaker_pipeline_target",
)


def target_id(bus: str | None, rule: str, target: str) -> str:
    return f"{rule}-{target}" if not bus or bus == DEFAULT_BUS else f"{bus}-{rule}-{target}"


class Target(AwsResource):
    type_name = "aws_cloudwatch_event_target"
    service = "events"
    schema = resource_schema(
        required("arn", String()),
        optional("event_bus_name", String(), default=DEFAULT_BUS, force_new=True),
        optional("force_destroy", Bool(), default=False),
        optional("input", String()),
        optional("input_path", String()),
        optional("role_arn", String()),
        required("rule", String(), force_new=True),
        optional("target_id", String(), computed=True, force_new=True),
        ListNestedBlock("appsync_target", [optional("graphql_operation", String())], max_items=1),
        ListNestedBlock(
            "batch_target",
            [
                optional("array_size", Number()),
                optional("job_attempts", Number()),
                required("job_definition", String()),
                required("job_name", String()),
            ],
            max_items=1,
        ),
        ListNestedBlock("dead_letter_config", [optional("arn", String())], max_items=1),
        ListNestedBlock(
            "ecs_target",
            [
                optional("enable_ecs_managed_tags", Bool()),
                optional("enable_execute_command", Bool()),
                optional("group", String()),
                optional("launch_type", String()),
                optional("platform_version", String()),
                optional("propagate_tags", String()),
                optional("tags", Map(String())),
                optional("task_count", Number()),
                required("task_definition_arn", String()),
            ],
            max_items=1,
        ),
        ListNestedBlock(
            "http_target",
            [
                optional("header_parameters", Map(String())),
                optional("path_parameter_values", List(String())),
                optional("query_string_parameters", Map(String())),
            ],
            max_items=1,
        ),
        ListNestedBlock(
            "input_transformer",
            [optional("input_paths", Map(String())), required("input_template", String())],
            max_items=1,
        ),
        ListNestedBlock("kinesis_target", [optional("partition_key_path", String())], max_items=1),
        ListNestedBlock(
            "redshift_target",
            [
                required("database", String()),
                optional("db_user", String()),
                optional("secrets_manager_arn", String()),
                optional("sql", String()),
                optional("statement_name", String()),
                optional("with_event", Bool()),
            ],
            max_items=1,
        ),
        ListNestedBlock(
            "retry_policy",
            [optional("maximum_event_age_in_seconds", Number()), optional("maximum_retry_attempts", Number())],
            max_items=1,
        ),
        ListNestedBlock(
            "run_command_targets", [required("key", String()), required("values", List(String()))], max_items=5
        ),
        ListNestedBlock(
            "sagemaker_pipeline_target",
            blocks=[
                SetNestedBlock(
                    "pipeline_parameter_list", [required("name", String()), required("value", String())], max_items=200
                )
            ],
            max_items=1,
        ),
        ListNestedBlock("sqs_target", [optional("message_group_id", String())], max_items=1),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("input", "input_path"))
        if config.get("input_transformer") and (config.get("input") or config.get("input_path")):
            diags.add_error(
                "Invalid combination of arguments",
                '"input_transformer": conflicts with input and input_path',
                path=["input_transformer"],
            )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        written = [b for b in _REFUSED_BLOCKS if planned.get(b)]
        if written:
            raise ProviderError(
                f"aws_cloudwatch_event_target: {', '.join(written)} is not implemented by the sandbox provider",
                "The sandbox sends targets with input, input_path, input_transformer, role_arn, "
                "dead_letter_config, retry_policy, sqs_target and kinesis_target.",
                path=[written[0]],
            )
        return planned

    def _api_target(self, planned: dict, target: str) -> dict:
        out: dict = {"Id": target, "Arn": planned["arn"]}
        for attr, api in (("input", "Input"), ("input_path", "InputPath"), ("role_arn", "RoleArn")):
            if planned[attr]:
                out[api] = planned[attr]
        for block, (api, members) in _SENT_BLOCKS.items():
            values = planned[block] or []
            if values:
                sent = {key: values[0][attr] for attr, key in members.items() if values[0].get(attr) not in (None, "")}
                out[api] = {k: int(v) if isinstance(v, float) else v for k, v in sent.items()}
        return out

    def _put(self, planned: dict, target: str) -> None:
        answer = self.client.put_targets(
            Rule=planned["rule"], Targets=[self._api_target(planned, target)], **_bus_args(planned["event_bus_name"])
        )
        if answer.get("FailedEntryCount"):
            failed = answer["FailedEntries"][0]
            raise ProviderError(
                f"creating EventBridge target ({target}): {failed.get('ErrorCode')}: {failed.get('ErrorMessage')}"
            )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        target = (
            planned["target_id"] if known(planned["target_id"]) else planned_name({"name": None, "name_prefix": None})
        )
        self._put(planned, target)
        state = {**planned, "id": target_id(planned["event_bus_name"], planned["rule"], target), "target_id": target}
        ctx.partial_state = state
        return self.read(ctx, state)

    def _find(self, bus: str | None, rule: str, target: str) -> dict:
        listed = not_found_on(
            lambda: self.client.list_targets_by_rule(Rule=rule, **_bus_args(bus)).get("Targets", []), *_GONE
        )
        found = next((t for t in listed if t["Id"] == target), None)
        if found is None:
            raise NotFound(target)
        return found

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        bus, rule, target = current["event_bus_name"], current["rule"], current["target_id"]
        found = self._find(bus, rule, target)
        state = dict(current)
        state.update(
            arn=found["Arn"],
            input=found.get("Input", ""),
            input_path=found.get("InputPath", ""),
            role_arn=found.get("RoleArn", ""),
            force_destroy=bool(current["force_destroy"]),
        )
        for block, (api, members) in _SENT_BLOCKS.items():
            value = found.get(api)
            state[block] = [{attr: value.get(key) for attr, key in members.items()}] if value else []
        return state

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        self._put(planned, prior["target_id"])
        return self.read(ctx, {**planned, "id": prior["id"], "target_id": prior["target_id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        bus, rule, target = current["event_bus_name"], current["rule"], current["target_id"]
        args = {"Rule": rule, "Ids": [target], **_bus_args(bus)}
        if current["force_destroy"]:
            args["Force"] = True
        ignore_codes(lambda: self.client.remove_targets(**args), *_GONE)


RESOURCES = [Rule, Target]
