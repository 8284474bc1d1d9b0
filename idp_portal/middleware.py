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


# Unicode bidirectional controls (embeddings, overrides, isolates, marks): "Trojan Source" text that reads
# differently from what it is, e.g. a reason or a parameter that shows a reviewer "allow 10.0.0.0/8" for
# "8/0.0.0.0 wolla". Every HTML page shows them as visible code points instead.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_VISIBLE = {ord(ch): f"[U+{ord(ch):04X}]" for ch in BIDI_CONTROLS}
_ENCODED = tuple(ch.encode() for ch in BIDI_CONTROLS)


def reveal_bidi_controls(text: str) -> str:
    return text.translate(_VISIBLE)


class RevealBidiControls:
    """Neutralise bidi controls in HTML responses, wherever free text lands (pages, htmx partials, admin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and any(encoded in response.content for encoded in _ENCODED)
        ):
            charset = response.charset or "utf-8"
            response.content = reveal_bidi_controls(response.content.decode(charset)).encode(charset)
        return response
