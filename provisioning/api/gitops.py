"""Request files: check them (read scope; changes nothing) and apply one (write scope); their JSON Schema."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from governance.choices import TokenScope
from idp_portal.api.errors import error_body
from provisioning.api import serializers as s
from provisioning.api.environments import _valid
from provisioning.choices import ChangeSource
from provisioning.gitops.apply import apply_file
from provisioning.gitops.check import check_file
from provisioning.gitops.schema import request_file_schema
from provisioning.models import ChangeRequest

MAX_FILES = 50


class FileInput(serializers.Serializer):
    path = serializers.CharField(max_length=500, help_text="The file's path, as errors should name it.")
    content = serializers.CharField(max_length=64 * 1024, trim_whitespace=False, allow_blank=True)


class FilesInput(serializers.Serializer):
    files = FileInput(many=True, allow_empty=False, max_length=MAX_FILES)


class ProblemSerializer(serializers.Serializer):
    path = serializers.CharField()
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(["error", "warning"])
    text = serializers.CharField(help_text="`file:line: field: message`")


class OutcomeSerializer(serializers.Serializer):
    path = serializers.CharField()
    valid = serializers.BooleanField()
    action = serializers.ChoiceField(["create", "update", "upgrade", "none"])
    team = serializers.CharField()
    name = serializers.CharField()
    environment = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    problems = ProblemSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    quote = serializers.DictField(allow_null=True)


class RequestFileViewSet(viewsets.ViewSet):
    """`validate` is a speculative check and quote, not a Terraform plan; `apply` submits through the actions."""

    action_scopes = {"validate": TokenScope.READ}

    def get_permissions(self):
        if self.action == "json_schema":
            return [permissions.AllowAny()]
        return super().get_permissions()

    @extend_schema(request=FilesInput, responses=inline_serializer("RequestFileChecks", {
        "valid": serializers.BooleanField(), "files": OutcomeSerializer(many=True)}))  # fmt: skip
    def validate(self, request):
        """Check request files against the catalogue, the values, the parameter policies and the budget,
        with a cost quote. Changes nothing; always 200 (`valid` says whether every file passed)."""
        data = _valid(FilesInput, request)
        outcomes = [check_file(request.user, f["path"], f["content"]) for f in data["files"]]
        return Response({"valid": all(o.valid for o in outcomes), "files": [o.as_dict() for o in outcomes]})

    @extend_schema(request=FileInput, responses={200: OutcomeSerializer, 202: OutcomeSerializer})
    def apply(self, request):
        """Create, update or upgrade the file's environment (202 with the change), or nothing when it
        already is as the file says (200). Problems answer 400 (403 when the team is not
        yours to change), a policy refusal 422, each with file:line."""
        data = _valid(FileInput, request)
        outcome = apply_file(request.user, data["path"], data["content"], source=ChangeSource.API)
        body = outcome.as_dict()
        if outcome.errors:
            if outcome.change is not None:
                code, status_code = "policy_violation", 422
            elif any(p.field == "metadata.team" for p in outcome.errors):  # not their team, or not their role
                code, status_code = "forbidden", 403
            else:
                code, status_code = "invalid", 400
            message = "; ".join(str(p) for p in outcome.errors)
            fields = {}
            for problem in outcome.errors:
                fields.setdefault(problem.field or "__all__", []).append(str(problem))
            return Response(error_body(code, message, fields=fields, file=body), status=status_code)
        if outcome.change is not None and outcome.action != "none":
            change = ChangeRequest.objects.get(pk=outcome.change)
            body["change_detail"] = s.ChangeSerializer(change, context={"request": request}).data
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(body)

    @extend_schema(responses={200: dict})
    def json_schema(self, request):
        """The JSON Schema of a request file, for editors (no token needed)."""
        url = request.build_absolute_uri()
        return Response(request_file_schema(url), content_type="application/schema+json")
