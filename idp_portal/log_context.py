"""Structured logs: every line carries the ids of what it is about (request, change, run, environment).

The ids live in a context variable set where the work is known: a request (the URL's change, run or
environment), a Celery task (its arguments), a Terraform run (the executor). A filter on the handler
copies them onto every record, whichever library logged it; `LOG_FORMAT=json` writes one JSON object a line.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("request_id", "change_id", "run_id", "environment_id")
_context: ContextVar[dict] = ContextVar("idp_log_context", default={})  # noqa: B039 - never mutated, only replaced


def current() -> dict:
    return dict(_context.get())


@contextmanager
def log_context(**ids) -> Iterator[None]:
    token = _context.set({**_context.get(), **{key: value for key, value in ids.items() if value is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**ids):
    """Set ids until `unbind(token)` (for signal pairs such as Celery's task_prerun/task_postrun)."""
    return _context.set({**_context.get(), **{key: value for key, value in ids.items() if value is not None}})


def unbind(token) -> None:
    _context.reset(token)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for field in FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field, "-"))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{field: getattr(record, field, "-") for field in FIELDS},
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


# URL names whose `pk` is a change, a run or an environment.
_URL_IDS = (("change", "change_id"), ("run", "run_id"), ("environment", "environment_id"))


class RequestLogContext:
    """A request id (X-Request-ID from the proxy, else a new one) and the ids in the URL, on every line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16])[:64]
        # A fresh context per request, left in place afterwards: Django logs a refused request's
        # "Not Found"/"Forbidden" line after the middleware chain has returned.
        _context.set({"request_id": request_id})
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        name = (getattr(request.resolver_match, "url_name", "") or "").lower()
        for word, field in _URL_IDS:
            if word in name and "pk" in view_kwargs:
                bind(**{field: view_kwargs["pk"]})  # replaced by the next request's fresh context
                break
        return None
