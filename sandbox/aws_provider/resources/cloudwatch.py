"""CloudWatch: aws_cloudwatch_metric_alarm (CloudWatch API).

Schema follows internal/service/cloudwatch/metric_alarm.go (v5): ``id`` is the alarm name,
``alarm_name`` forces a new alarm, ``actions_enabled`` defaults to true and
``treat_missing_data`` to ``missing``; the action lists are sets. PutMetricAlarm creates and
replaces an alarm, so updates in place send the whole alarm again, as the real provider does.
The ``metric_query`` block (metric math) is not implemented: an alarm watches one metric.
"""

from typing import Any

from ..base import AwsResource, ResourceContext, dict_to_tag_list, known, tag_list_to_dict, wait_gone
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Map, Number, Set, String

COMPARISON_OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")

# Terraform attribute -> PutMetricAlarm argument, for the plain optional arguments.
_SCALARS = {
    "alarm_description": "AlarmDescription",
    "metric_name": "MetricName",
    "namespace": "Namespace",
    "statistic": "Statistic",
    "extended_statistic": "ExtendedStatistic",
    "unit": "Unit",
    "threshold_metric_id": "ThresholdMetricId",
    "evaluate_low_sample_count_percentiles": "EvaluateLowSampleCountPercentile",
}
_ACTIONS = {
    "alarm_actions": "AlarmActions",
    "ok_actions": "OKActions",
    "insufficient_data_actions": "InsufficientDataActions",
}


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None  # type: ignore[arg-type]


class MetricAlarm(AwsResource):
    type_name = "aws_cloudwatch_metric_alarm"
    service = "cloudwatch"
    schema = resource_schema(
        optional("actions_enabled", Bool(), default=True),
        optional("alarm_actions", Set(String())),
        optional("alarm_description", String()),
        required("alarm_name", String(), force_new=True),
        computed("arn", String()),
        required("comparison_operator", String()),
        optional("datapoints_to_alarm", Number()),
        optional("dimensions", Map(String())),
        optional("evaluate_low_sample_count_percentiles", String(), computed=True),
        required("evaluation_periods", Number()),
        optional("extended_statistic", String()),
        optional("insufficient_data_actions", Set(String())),
        optional("metric_name", String()),
        optional("namespace", String()),
        optional("ok_actions", Set(String())),
        optional("period", Number()),
        optional("statistic", String()),
        *tags_attributes(),
        optional("threshold", Number()),
        optional("threshold_metric_id", String()),
        optional("treat_missing_data", String(), default="missing"),
        optional("unit", String()),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        checks = (
            ("comparison_operator", COMPARISON_OPERATORS),
            ("statistic", STATISTICS),
            ("treat_missing_data", TREAT_MISSING_DATA),
        )
        for attr, allowed in checks:
            value = config.get(attr)
            if isinstance(value, str) and value not in allowed:
                listed = " ".join(f'"{a}"' for a in allowed)
                diags.add_error(f"expected {attr} to be one of [{listed}], got {value}", path=[attr])
        name = config.get("alarm_name")
        if isinstance(name, str) and not 1 <= len(name) <= 255:
            diags.add_error("expected length of alarm_name to be in the range (1 - 255)", path=["alarm_name"])
        if isinstance(config.get("statistic"), str) and isinstance(config.get("extended_statistic"), str):
            diags.add_error('"statistic": conflicts with extended_statistic', path=["statistic"])
        if config.get("metric_name") is None and isinstance(name, str):
            diags.add_error(
                'One of "metric_name" or "metric_query" must be set: the sandbox implements metric_name '
                "(metric_query is not implemented)",
                path=["metric_name"],
            )

    def _find(self, name: str) -> dict:
        alarms = self.client.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
        found = [a for a in alarms if a["AlarmName"] == name]
        if not found:
            raise NotFound(name)
        return found[0]

    def _put(self, planned: dict) -> None:
        args: dict[str, Any] = {
            "AlarmName": planned["alarm_name"],
            "ComparisonOperator": planned["comparison_operator"],
            "EvaluationPeriods": int(planned["evaluation_periods"]),
            "ActionsEnabled": bool(planned["actions_enabled"]),
            "TreatMissingData": planned["treat_missing_data"] or "missing",
        }
        for attr, api in _SCALARS.items():
            if known(planned[attr]) and planned[attr]:
                args[api] = planned[attr]
        for attr, api in _ACTIONS.items():
            if known(planned[attr]) and planned[attr]:
                args[api] = sorted(planned[attr])
        for attr, api in (("period", "Period"), ("datapoints_to_alarm", "DatapointsToAlarm")):
            if _int(planned[attr]):
                args[api] = _int(planned[attr])
        if isinstance(planned["threshold"], (int, float)):
            args["Threshold"] = float(planned["threshold"])
        if planned["dimensions"]:
            args["Dimensions"] = [{"Name": k, "Value": v} for k, v in sorted(planned["dimensions"].items())]
        self.client.put_metric_alarm(**args)

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned["alarm_name"]
        self._put(planned)
        state = {**planned, "id": name}
        ctx.partial_state = state
        arn = self._find(name)["AlarmArn"]
        if planned["tags_all"]:
            self.client.tag_resource(ResourceARN=arn, Tags=dict_to_tag_list(planned["tags_all"]))
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["alarm_name"]
        alarm = self._find(name)

        def text(api: str) -> str | None:
            return alarm.get(api) or None

        def actions(api: str, attr: str) -> list[str] | None:
            found = sorted(alarm.get(api) or [])
            return found or (None if not current.get(attr) else [])

        threshold = alarm.get("Threshold")
        state = dict(current)
        state.update(
            id=name,
            alarm_name=name,
            arn=alarm["AlarmArn"],
            actions_enabled=bool(alarm.get("ActionsEnabled", True)),
            alarm_actions=actions("AlarmActions", "alarm_actions"),
            ok_actions=actions("OKActions", "ok_actions"),
            insufficient_data_actions=actions("InsufficientDataActions", "insufficient_data_actions"),
            alarm_description=text("AlarmDescription"),
            comparison_operator=alarm["ComparisonOperator"],
            datapoints_to_alarm=alarm.get("DatapointsToAlarm"),
            dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []} or None,
            evaluate_low_sample_count_percentiles=alarm.get("EvaluateLowSampleCountPercentile") or "",
            evaluation_periods=alarm["EvaluationPeriods"],
            extended_statistic=text("ExtendedStatistic"),
            metric_name=text("MetricName"),
            namespace=text("Namespace"),
            period=alarm.get("Period"),
            statistic=text("Statistic"),
            threshold=float(threshold) if threshold is not None else None,
            threshold_metric_id=text("ThresholdMetricId"),
            treat_missing_data=alarm.get("TreatMissingData") or "missing",
            unit=text("Unit"),
        )
        if isinstance(current.get("threshold"), (int, float)) and state["threshold"] == current["threshold"]:
            state["threshold"] = current["threshold"]  # 80 and 80.0 are the same number
        tags = self.client.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags")
        return self.set_tags_from_aws(state, tag_list_to_dict(tags))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        name = prior["id"]
        self._put({**planned, "alarm_name": name})
        arn = prior["arn"]
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: self.client.tag_resource(ResourceARN=arn, Tags=dict_to_tag_list(tags)),
        )
        return self.read(ctx, {**planned, "id": name})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        self.client.delete_alarms(AlarmNames=[name])
        wait_gone(lambda: self._find(name), what=f"CloudWatch alarm {name} to be deleted")


RESOURCES = [MetricAlarm]
