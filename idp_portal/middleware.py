"""Refuse NUL characters in the query string before any view: PostgreSQL text cannot hold them."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse


class RefuseNulInQuery:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            message = "The address may not contain NUL characters (%00); remove them."
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "invalid", "message": message, "fields": {},
                                               "violations": []}}, status=400)  # fmt: skip
            return HttpResponseBadRequest(message)
        return self.get_response(request)
