"""Changes: status, policy results, plan diff, cost estimate; cancel, retry; approve and reject."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.choices import TokenScope
from provisioning import actions
from provisioning.api import serializers as s
from provisioning.api.environments import _valid
from provisioning.choices import ApprovalDecision, ChangeSource
from provisioning.models import ApprovalRequirement, ChangeRequest

API = ChangeSource.API


class ChangeFilter(filters.FilterSet):
    team = filters.CharFilter(field_name="environment__team__slug")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = ChangeRequest
        fields = ["environment", "team", "status", "action", "source", "updated_after"]


class ChangeViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ChangeFilter
    ordering_fields = ["created_at", "updated_at"]
    action_scopes = {"approve": TokenScope.APPROVE, "reject": TokenScope.APPROVE}

    def get_queryset(self):
        return (
            ChangeRequest.objects.for_user(self.request.user)
            .select_related("environment__team", "environment__pattern_version", "pattern_version", "requested_by")
            .order_by("-created_at")
        )

    def get_serializer_class(self):
        return s.ChangeDetailSerializer if self.action == "retrieve" else s.ChangeSerializer

    @extend_schema(request=None, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        change = actions.cancel_change(actor=request.user, change=self.get_object(), source=API)
        return Response(s.ChangeSerializer(change, context={"request": request}).data)

    @extend_schema(request=s.RetryInput, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        data = _valid(s.RetryInput, request)
        run = actions.retry_change(
            actor=request.user, change=self.get_object(), source=API, delete_orphans=data["delete_orphans"]
        )
        return Response(s.RunSerializer(run).data, status=202)

    @extend_schema(request=s.DecisionInput, responses=s.ChangeDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, ApprovalDecision.APPROVED)

    @extend_schema(request=s.DecisionInput, responses=s.ChangeDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, ApprovalDecision.REJECTED)

    def _decide(self, request, decision: str) -> Response:
        data = _valid(s.DecisionInput, request)
        # The change may be one the reviewer's group sees only through the queue: the action decides what is visible.
        actions.decide_change(actor=request.user, change=ChangeRequest(pk=self.kwargs["pk"]), group=data["group"],
                              decision=decision, comment=data["comment"], source=API)  # fmt: skip
        change = ChangeRequest.objects.select_related("environment__team").get(pk=self.kwargs["pk"])
        return Response(s.ChangeDetailSerializer(change, context={"request": request}).data)


class ApprovalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What waits for one of my reviewer groups (never my own changes), oldest first."""

    serializer_class = s.ApprovalSerializer
    filterset_fields = ["group"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApprovalRequirement.objects.none()
        return (
            ApprovalRequirement.objects.pending_for(self.request.user)
            .select_related(
                "change_request__environment__team",
                "change_request__requested_by",
                "change_request__environment__pattern_version",
            )  # fmt: skip
            .order_by("created_at")
        )
