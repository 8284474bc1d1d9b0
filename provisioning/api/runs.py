"""Runs and their Terraform log, paged by offset so a client can follow a run as it goes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from provisioning.api.serializers import RunSerializer
from provisioning.models import Run

LOG_PAGE = 64 * 1024


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RunSerializer
    filterset_fields = ["environment", "change_request", "kind", "status"]

    def get_queryset(self):
        return Run.objects.for_user(self.request.user).defer("plan_file", "plan_json", "log").order_by("-queued_at")

    @extend_schema(
        parameters=[OpenApiParameter("offset", int, description="Characters already read (0 at first).")],
        responses=inline_serializer(
            "RunLog",
            {
                "text": serializers.CharField(),
                "offset": serializers.IntegerField(),
                "finished": serializers.BooleanField(),
                "status": serializers.CharField(),
            },
        ),  # fmt: skip
    )
    @action(detail=True)
    def log(self, request, pk=None):
        """The log from `offset` on (at most 64 KiB); call again with the returned offset until `finished`."""
        run = Run.objects.for_user(request.user).only("pk", "status", "log").filter(pk=pk).first()
        if run is None:
            raise NotFound("No such run, or you may not see it.")
        try:
            offset = max(0, int(request.query_params.get("offset", 0)))
        except ValueError:
            offset = 0
        text = run.log[offset : offset + LOG_PAGE]
        end = offset + len(text)
        return Response({"text": text, "offset": end, "finished": run.is_finished and end >= len(run.log),
                         "status": run.status})  # fmt: skip
