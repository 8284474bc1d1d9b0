"""Post an answer to a payload's `response_url`, which must be Slack's (`SLACK_RESPONSE_URL_PREFIXES`)."""

from __future__ import annotations

import logging

from django.conf import settings
from slack_sdk.webhook import WebhookClient

logger = logging.getLogger(__name__)


def allowed(url: str) -> bool:
    return isinstance(url, str) and any(url.startswith(prefix) for prefix in settings.SLACK_RESPONSE_URL_PREFIXES)


def post(url: str, body: dict) -> bool:
    """True when Slack took it; a failure is logged (the action itself is done and on the record)."""
    if not allowed(url):
        logger.warning("Slack response_url %r is not one of SLACK_RESPONSE_URL_PREFIXES; answer not posted", url)
        return False
    try:
        response = WebhookClient(url, timeout=settings.SLACK_TIMEOUT_SECONDS).send_dict(body)
    except Exception:  # slack-sdk raises URLError, timeouts, ... when Slack cannot be reached
        logger.exception("could not post the answer to Slack's response_url")
        return False
    if response.status_code >= 300:
        logger.warning("Slack's response_url answered %s: %s", response.status_code, response.body)
        return False
    return True
