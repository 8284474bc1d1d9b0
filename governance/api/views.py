"""The audit log through the API: the events of the user's teams (everything, for platform operators)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from governance.models import AuditEvent, Team


class AuditEventSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    change = serializers.PrimaryKeyRelatedField(source="change_request", read_only=True)
    source = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_name", "action", "team", "environment", "change", "source", "message"]

    def get_source(self, event) -> str | None:
        """The door it came through (portal, api, cli, gitops, chat, system), when the event says."""
        return event.data.get("source")


class AuditEventFilter(filters.FilterSet):
    team = filters.CharFilter(field_name="team__slug")
    change = filters.NumberFilter(field_name="change_request")
    after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gt")

    class Meta:
        model = AuditEvent
        fields = ["team", "environment", "change", "action", "after"]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        events = AuditEvent.objects.all()
        if not self.request.user.is_superuser:
            events = events.filter(team__in=Team.objects.for_user(self.request.user))
        return events.select_related("team").order_by("-created_at", "-id")
