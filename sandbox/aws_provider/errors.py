"""Turning failures into Terraform diagnostics: a clear sentence, never a Python traceback."""

import sys
import traceback
from urllib.parse import urlsplit

from tf.utils import Diagnostics


class ProviderError(Exception):
    """An error to show the Terraform user as is (summary, optional detail and attribute path)."""

    def __init__(self, summary: str, detail: str = "", path: list | None = None):
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.path = path


class NotFound(Exception):
    """The AWS object does not exist (any more): read() answers None so Terraform re-creates it."""


def base_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else url


def unreachable_message(url: str) -> str:
    return f"cannot reach the AWS API at {base_url(url)} — is the sandbox cloud (moto server) running?"


def client_error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def add_exception(diags: Diagnostics, exc: BaseException, action: str) -> None:
    """Record ``exc`` (raised while doing ``action``, e.g. "creating aws_vpc") as an error."""
    from botocore import exceptions as bexc
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ProviderError):
        diags.add_error(exc.summary, exc.detail, path=exc.path)
    elif isinstance(exc, (bexc.EndpointConnectionError, bexc.ConnectTimeoutError, bexc.ConnectionClosedError)):
        url = exc.kwargs.get("endpoint_url", "") if hasattr(exc, "kwargs") else ""
        diags.add_error(
            unreachable_message(url),
            f"{action}: the sandbox AWS provider could not connect to {url}. Start the sandbox cloud "
            "(moto_server) or point the provider's `endpoints` / AWS_ENDPOINT_URL at it.",
        )
    elif isinstance(exc, ResponseParserError):
        # Not a bug: the endpoint went away mid-answer (a restart, a dropped connection).
        diags.add_error(
            f"{action}: the cloud's answer was empty or unreadable (the endpoint restarted or the connection "
            "dropped mid-answer); retry once it answers again"
        )
    elif isinstance(exc, bexc.ClientError):
        error = exc.response.get("Error", {})
        diags.add_error(f"{action}: {error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": "))
    elif isinstance(exc, bexc.BotoCoreError):
        diags.add_error(f"{action}: {exc}")
    else:
        # A bug in the sandbox provider: keep the traceback in Terraform's log (TF_LOG), not on screen.
        traceback.print_exc(file=sys.stderr)
        diags.add_error(
            f"{action}: unexpected error in the sandbox AWS provider: {type(exc).__name__}: {exc}",
            "This is a bug in the sandbox provider (sandbox/aws_provider); run with TF_LOG=DEBUG for the traceback.",
        )
