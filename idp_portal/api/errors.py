"""One JSON shape for every refusal, whatever raised it:

    {"error": {"code": "invalid", "message": "…", "fields": {"name": ["…"]}, "violations": [{…}]}}

`fields` names each bad field (`__all__` for the request as a whole); `violations` lists the
policies a change broke (policy, severity, field, resource, message, remediation).
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from provisioning.actions import ActionError, ChangeNotAllowed, Forbidden, NotFound, RequestInvalid

CODES = {NotFound: "not_found", Forbidden: "forbidden", ChangeNotAllowed: "not_allowed", RequestInvalid: "invalid"}
VIOLATION_KEYS = ("policy", "severity", "field", "resource", "attribute", "value", "message", "remediation")


def error_body(code: str, message: str, *, fields: dict | None = None, violations: list | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, "violations": violations or [],
                      **extra}}  # fmt: skip


def violations_of(results: list[dict]) -> list[dict]:
    return [{key: result.get(key) for key in VIOLATION_KEYS} for result in results if result.get("severity") == "deny"]


def exception_handler(exc, context):
    if isinstance(exc, ActionError):
        code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), "refused")
        if isinstance(exc, RequestInvalid):
            return Response(error_body(code, "Some values need a change.", fields=exc.errors), status=exc.status)
        return Response(error_body(code, str(exc)), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such object, or you may not see it.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling, logged
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
        fields = {name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for name, msgs in detail.items()}
        response.data = error_body("invalid", "Some values need a change.", fields=fields)
    else:
        codes = {status.HTTP_401_UNAUTHORIZED: "unauthenticated", status.HTTP_403_FORBIDDEN: "forbidden",
                 status.HTTP_404_NOT_FOUND: "not_found", status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
                 status.HTTP_429_TOO_MANY_REQUESTS: "throttled"}  # fmt: skip
        detail = response.data.get("detail", exc) if isinstance(response.data, dict) else exc
        response.data = error_body(codes.get(response.status_code, "error"), str(detail))
    return response
