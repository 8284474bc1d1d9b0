"""Patterns and their versions: what can be requested and with which parameters."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.api.serializers import PatternSerializer, PatternVersionSerializer
from catalogue.models import Pattern


class PatternFilter(filters.FilterSet):
    class Meta:
        model = Pattern
        fields = ["category", "data_classification"]


class PatternViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PatternSerializer
    lookup_field = "slug"
    filterset_class = PatternFilter
    search_fields = ["name", "summary", "description"]

    def get_queryset(self):
        return Pattern.objects.for_user(self.request.user).listed().prefetch_related("versions").order_by("name")

    @extend_schema(responses=PatternVersionSerializer(many=True))
    @action(detail=True, url_path="versions")
    def versions(self, request, slug=None):
        pattern = self.get_object()
        return Response(PatternVersionSerializer(pattern.versions.all(), many=True).data)

    @extend_schema(responses=PatternVersionSerializer)
    @action(detail=True, url_path=r"versions/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)")
    def version(self, request, slug=None, version=None):
        pattern = self.get_object()
        return Response(PatternVersionSerializer(get_object_or_404(pattern.versions, version=version)).data)
