"""Is this request from Slack, now, and the first of its kind? Slack's signing secret says the first two.

Slack signs `v0:<timestamp>:<body>` with the app's signing secret (`X-Slack-Signature`); a timestamp
more than five minutes from now is refused, so a captured request cannot be replayed later. Within
those five minutes the cache remembers each signature and each trigger (a command typed, a button
pressed): the same one again is answered but not acted on twice.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60


class Refused(Exception):
    """Not a request from Slack (or not now): answered with `status`, logged, nothing done."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


def verify(body: bytes, headers, *, now: float | None = None) -> None:
    """Raise Refused unless `body` carries a valid, current signature of the configured signing secret."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        raise Refused("SLACK_SIGNING_SECRET is not set: Slack requests cannot be verified.", status=503)
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    if not timestamp or not signature:
        raise Refused("no Slack signature")
    # "²" passes isdigit() and fails int(), as do 5,000 digits; a Unix time has 10.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        raise Refused("malformed Slack timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused(f"Slack timestamp {timestamp} is more than {MAX_AGE_SECONDS // 60} minutes from now (replay?)")
    if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
        raise Refused("bad Slack signature")


def first_time(*keys: str) -> bool:
    """Remember `keys` for five minutes (in the shared cache: Redis in production); False if one was seen."""
    fresh = True
    for key in keys:
        if not key:
            continue
        digest = hashlib.sha256(key.encode()).hexdigest()
        # cache.add is atomic (SET NX on Redis): of two identical requests at once, one wins.
        if not cache.add(f"slack:seen:{digest}", 1, timeout=MAX_AGE_SECONDS):
            fresh = False
    return fresh
