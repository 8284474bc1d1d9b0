"""Teams (members see theirs; finance and platform see every team's costs), their settings and costs."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from costs import budgets, reports
from governance import roles
from governance.models import Team
from provisioning import actions
from provisioning.api import serializers as s
from provisioning.api.environments import _valid
from provisioning.choices import ChangeSource
from provisioning.models import Environment

HISTORY_DAYS = 90


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["slug", "name", "cost_centre", "monthly_budget", "budget_mode", "budget_alert_thresholds",
                  "slack_channel"]  # fmt: skip


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Team.objects.for_user(self.request.user).order_by("name")

    @extend_schema(request=s.TeamSettingsInput, responses=TeamSerializer)
    def partial_update(self, request, slug=None):
        data = _valid(s.TeamSettingsInput, request)
        team = actions.update_team_settings(actor=request.user, team=self.get_object(), source=ChangeSource.API, **data)
        return Response(TeamSerializer(team).data)

    @extend_schema(responses=inline_serializer("TeamCosts", {
        "team": serializers.CharField(), "monthly_budget": serializers.DecimalField(12, 2),
        "run_rate": serializers.DecimalField(12, 2), "month_to_date": serializers.DecimalField(12, 2),
        "forecast": serializers.DecimalField(12, 2), "live_environments": serializers.IntegerField(),
        "environments": serializers.ListField(child=serializers.DictField()),
    }))  # fmt: skip
    @action(detail=True)
    def costs(self, request, slug=None):
        team = Team.objects.filter(slug=slug).first()
        if team is None or not (roles.sees_all_costs(request.user) or self.get_queryset().filter(pk=team.pk).exists()):
            raise NotFound("No such team, or you may not see it.")
        today = timezone.now().date()
        first, _ = budgets.month_bounds(today)
        live = Environment.objects.live().filter(team=team)
        totals = live.aggregate(count=Count("id"), run_rate=Sum("estimated_monthly_cost"))
        run_rate = totals["run_rate"] or Decimal(0)
        outlook = budgets.project(team=team, run_rate=run_rate, delta=Decimal(0), today=today)
        spent = reports.spend_by_environment(live.values("pk"), first, today)
        return Response({
            "team": team.slug, "monthly_budget": team.monthly_budget, "run_rate": run_rate,
            "month_to_date": outlook.month_to_date, "forecast": outlook.projected, "live_environments": totals["count"],
            "environments": [
                {"id": env.pk, "name": env.name, "tier": env.tier, "estimated_monthly_cost": env.estimated_monthly_cost,
                 "month_to_date": spent.get(env.pk, Decimal(0)), "expires_at": env.expires_at}
                for env in live.order_by("name").only("pk", "name", "tier", "estimated_monthly_cost", "expires_at")
            ],
        })  # fmt: skip
