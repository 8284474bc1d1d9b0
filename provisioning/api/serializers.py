"""What the API shows of environments, changes, runs and approvals; the inputs of each action."""

from __future__ import annotations

from rest_framework import serializers

from governance.choices import Tier
from governance.models import Team
from idp_portal.api.errors import violations_of
from provisioning.models import ApprovalRequirement, ChangeRequest, Environment, Run
from provisioning.terraform.plan_diff import stateful_replacements, summary


class EnvironmentSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pattern = serializers.CharField(source="pattern_version.pattern.slug", read_only=True)
    version = serializers.CharField(source="pattern_version.version", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:environment-detail")

    class Meta:
        model = Environment
        fields = ["id", "url", "team", "name", "application", "tier", "pattern", "version", "status", "parameters",
                  "outputs", "tags", "estimated_monthly_cost", "expires_at", "drift", "drift_checked_at", "orphans",
                  "created_at", "updated_at"]  # fmt: skip


class RequirementSerializer(serializers.ModelSerializer):
    decision = serializers.CharField(source="approval.decision", default=None, read_only=True)
    reviewer = serializers.CharField(source="approval.reviewer.username", default=None, read_only=True)
    comment = serializers.CharField(source="approval.comment", default=None, read_only=True)

    class Meta:
        model = ApprovalRequirement
        fields = ["group", "reasons", "decision", "reviewer", "comment"]


class ChangeSerializer(serializers.ModelSerializer):
    environment = serializers.PrimaryKeyRelatedField(read_only=True)
    environment_name = serializers.CharField(source="environment.name", read_only=True)
    team = serializers.CharField(source="environment.team.slug", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    version = serializers.CharField(source="target_version.version", read_only=True)
    violations = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api:change-detail")

    class Meta:
        model = ChangeRequest
        fields = ["id", "url", "environment", "environment_name", "team", "action", "status", "source", "requested_by",
                  "version", "parameters", "reason", "violations", "policy_results", "cost_estimate", "cost_delta",
                  "failure_reason", "created_at", "updated_at", "finished_at"]  # fmt: skip

    def get_violations(self, change) -> list[dict]:
        return violations_of(change.policy_results)


class ChangeDetailSerializer(ChangeSerializer):
    requirements = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    runs = serializers.SerializerMethodField()

    class Meta(ChangeSerializer.Meta):
        fields = [*ChangeSerializer.Meta.fields, "requirements", "plan", "runs"]

    def get_requirements(self, change) -> list[dict]:
        current = change.requirements.current().select_related("approval__reviewer")
        return RequirementSerializer(current, many=True).data

    def get_plan(self, change) -> dict | None:
        run = change.plan_run
        if run is None:
            return None
        changes = run.plan_changes or []
        return {"run": run.pk, "summary": summary(changes), "data_loss": stateful_replacements(changes)
                if change.action != "destroy" else [], "changes": changes}  # fmt: skip

    def get_runs(self, change) -> list[dict]:
        return [{"id": r.pk, "kind": r.kind, "status": r.status} for r in change.runs.order_by("queued_at")]


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = ["id", "environment", "change_request", "kind", "status", "destroy", "plan_changes", "exit_code",
                  "error", "queued_at", "started_at", "finished_at"]  # fmt: skip


class ApprovalSerializer(serializers.ModelSerializer):
    change = ChangeSerializer(source="change_request", read_only=True)

    class Meta:
        model = ApprovalRequirement
        fields = ["id", "group", "reasons", "created_at", "change"]


# -- inputs of the actions ---------------------------------------------------------------------
class RequestInput(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(),
                                        error_messages={"does_not_exist": "There is no team {slug_name}={value}."})  # fmt: skip
    pattern = serializers.SlugField(help_text="The pattern's slug or one of its aliases, e.g. app-environment.")
    size = serializers.CharField(required=False, allow_blank=True, default="", max_length=20,
                                 help_text="A size preset of the pattern (its `sizes`); `parameters` override it.")  # fmt: skip
    version = serializers.CharField(required=False, help_text="Default: the current version.")
    name = serializers.CharField(max_length=24)
    application = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=Tier.choices)
    ttl_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    parameters = serializers.DictField(required=False, default=dict,
                                       help_text="Values for the pattern's parameters; those left out take its defaults.")  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UpdateInput(serializers.Serializer):
    parameters = serializers.DictField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UpgradeInput(serializers.Serializer):
    parameters = serializers.DictField(required=False, default=dict, help_text="Values for the new version.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RetryInput(serializers.Serializer):
    delete_orphans = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, default=list, max_length=200,
        help_text="ARNs from the environment's `orphans` (resources no state holds) to delete before the plan.",
    )  # fmt: skip


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ExtendInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=3650)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DecommissionInput(serializers.Serializer):
    confirm_name = serializers.CharField(help_text="The environment's name, typed to confirm.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DecisionInput(serializers.Serializer):
    group = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TeamSettingsInput(serializers.Serializer):
    monthly_budget = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    budget_mode = serializers.CharField(required=False)
    alert_thresholds = serializers.ListField(child=serializers.IntegerField(), required=False)
    slack_webhook_url = serializers.CharField(required=False, allow_blank=True)
    slack_channel = serializers.CharField(required=False, allow_blank=True)
