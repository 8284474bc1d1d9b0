"""Environments: list and read; request, update, upgrade, promote, extend, decommission, drift."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import Pattern, UnknownSize
from costs import budgets, reports
from provisioning import actions
from provisioning.api import serializers as s
from provisioning.api.doors import change_response
from provisioning.choices import ChangeSource
from provisioning.models import ChangeRequest, Environment

API = ChangeSource.API
HISTORY_DAYS = 90


class EnvironmentFilter(filters.FilterSet):
    team = filters.CharFilter(field_name="team__slug")
    pattern = filters.CharFilter(field_name="pattern_version__pattern__slug")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")
    live = filters.BooleanFilter(method="filter_live", help_text="true: only environments that exist (default: all).")

    class Meta:
        model = Environment
        fields = ["team", "name", "tier", "status", "application", "pattern", "updated_after"]

    def filter_live(self, queryset, name, value):
        return queryset.live() if value else queryset


class EnvironmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.EnvironmentSerializer
    filterset_class = EnvironmentFilter
    search_fields = ["name", "application"]
    ordering_fields = ["name", "created_at", "updated_at", "expires_at", "estimated_monthly_cost"]

    def get_queryset(self):
        return (
            Environment.objects.for_user(self.request.user)
            .select_related("team", "pattern_version__pattern")
            .order_by("team__slug", "name")
        )

    def _environment(self) -> Environment:
        return self.get_object()

    @extend_schema(request=s.RequestInput, responses={202: s.ChangeSerializer})
    def create(self, request):
        data = _valid(s.RequestInput, request)
        pattern = Pattern.objects.for_user(request.user).listed().prefetch_related("versions").named(data["pattern"])
        if pattern is None:
            raise actions.RequestInvalid({"pattern": [f"There is no pattern {data['pattern']!r} in the catalogue."]})
        version = pattern.current_version
        if data.get("version"):
            version = next((v for v in pattern.versions.all() if v.version == data["version"]), None)
            if version is None:
                raise actions.RequestInvalid({"version": [f"{pattern.slug} has no version {data['version']}."]})
        try:
            parameters = version.parameters_for(size=data["size"] or None, parameters=data["parameters"])
        except UnknownSize as exc:
            raise actions.RequestInvalid({"size": [str(exc)]}) from None
        change = actions.request_environment(
            actor=request.user, team=data["team"], pattern_version=version, name=data["name"], tier=data["tier"],
            ttl_days=data["ttl_days"], parameters=parameters,
            reason=data["reason"], source=API,
            application=data["application"],
        )  # fmt: skip
        return change_response(request, change)

    @extend_schema(request=s.UpdateInput, responses={202: s.ChangeSerializer})
    @action(detail=True, methods=["post"], url_path="update")
    def update_parameters(self, request, pk=None):
        data = _valid(s.UpdateInput, request)
        change = actions.update_environment(actor=request.user, environment=self._environment(),
                                            parameters=data["parameters"], reason=data["reason"], source=API)  # fmt: skip
        return change_response(request, change)

    @extend_schema(request=s.UpgradeInput, responses={202: s.ChangeSerializer})
    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        data = _valid(s.UpgradeInput, request)
        change = actions.upgrade_environment(actor=request.user, environment=self._environment(),
                                             parameters=data["parameters"] or None, reason=data["reason"], source=API)  # fmt: skip
        return change_response(request, change)

    @extend_schema(request=s.UpgradeInput, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"], url_path="upgrade-preview")
    def upgrade_preview(self, request, pk=None):
        data = _valid(s.UpgradeInput, request)
        run = actions.preview_upgrade(actor=request.user, environment=self._environment(),
                                      parameters=data["parameters"] or None)  # fmt: skip
        return Response(s.RunSerializer(run).data, status=202)

    @extend_schema(request=s.ReasonInput, responses={202: s.ChangeSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        data = _valid(s.ReasonInput, request)
        change = actions.promote_environment(actor=request.user, environment=self._environment(),
                                             reason=data["reason"], source=API)  # fmt: skip
        return change_response(request, change)

    @extend_schema(request=s.ExtendInput, responses={200: s.EnvironmentSerializer, 202: s.ChangeSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = _valid(s.ExtendInput, request)
        result = actions.extend_environment(actor=request.user, environment=self._environment(), days=data["days"],
                                            reason=data["reason"], source=API)  # fmt: skip
        if isinstance(result, ChangeRequest):  # beyond the tier's maximum: waits for the platform team
            return change_response(request, result)
        return Response(s.EnvironmentSerializer(result, context={"request": request}).data)

    @extend_schema(request=s.DecommissionInput, responses={202: s.ChangeSerializer})
    @action(detail=True, methods=["post"])
    def decommission(self, request, pk=None):
        data = _valid(s.DecommissionInput, request)
        change = actions.decommission_environment(actor=request.user, environment=self._environment(),
                                                  confirm_name=data["confirm_name"], reason=data["reason"], source=API)  # fmt: skip
        return change_response(request, change)

    @extend_schema(request=None, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"], url_path="drift-check")
    def drift_check(self, request, pk=None):
        run = actions.check_drift(actor=request.user, environment=self._environment(), source=API)
        return Response(s.RunSerializer(run).data, status=202)

    @extend_schema(request=s.ReasonInput, responses={202: s.ChangeSerializer})
    @action(detail=True, methods=["post"])
    def reconcile(self, request, pk=None):
        data = _valid(s.ReasonInput, request)
        change = actions.reconcile_drift(actor=request.user, environment=self._environment(), reason=data["reason"],
                                         source=API)  # fmt: skip
        return change_response(request, change)

    @extend_schema(responses=inline_serializer("EnvironmentCosts", {
        "environment": serializers.IntegerField(), "estimated_monthly_cost": serializers.DecimalField(12, 2),
        "month_to_date": serializers.DecimalField(12, 2), "daily": serializers.ListField(child=serializers.DictField()),
    }))  # fmt: skip
    @action(detail=True)
    def costs(self, request, pk=None):
        """Estimated monthly cost and actual spend: this month, and a day at a time over the last 90 days."""
        return Response(environment_costs(self._environment()))


def environment_costs(environment: Environment) -> dict:
    today = timezone.now().date()
    first, _ = budgets.month_bounds(today)
    spend = reports.history(environment.pk, today - timedelta(days=HISTORY_DAYS - 1), today)
    return {
        "environment": environment.pk,
        "estimated_monthly_cost": environment.estimated_monthly_cost,
        "month_to_date": reports.spend_by_environment([environment.pk], first, today).get(environment.pk, 0),
        "daily": [{"day": day, "amount": amount} for day, amount in zip(spend["days"], spend["amounts"], strict=True)],
    }


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
