"""Personal access tokens: created (the secret shown once), checked on every API call, revoked.

A token reads `idp_<prefix>_<secret>`: the prefix finds the row, the secret is compared by hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance.audit import record
from governance.choices import AuditAction, TokenScope
from governance.models import ApiToken

TOKEN_PREFIX = "idp_"
MAX_DAYS = 366
# Write and approve tokens can read too; nothing includes approve but approve.
GRANTS = {
    TokenScope.READ: {TokenScope.READ},
    TokenScope.WRITE: {TokenScope.READ, TokenScope.WRITE},
    TokenScope.APPROVE: {TokenScope.READ, TokenScope.APPROVE},
}


class TokenInvalid(Exception):
    """The token is unknown, malformed, expired or revoked; the message says which, for the caller."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def validate_token_request(*, name: str, scope: str, days) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Say what the token is for, e.g. laptop CLI or CI pipeline."]
    elif len(name) > 80:
        errors["name"] = ["Use at most 80 characters."]
    if scope not in TokenScope.values:
        errors["scope"] = [f"Choose one of {', '.join(TokenScope.values)}."]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [f"A token lives from 1 to {MAX_DAYS} days; enter a whole number in that range."]
    return errors


def create_token(*, actor, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `actor`; returns it and the full token text, which is never stored or shown again."""
    errors = validate_token_request(name=name, scope=scope, days=days)
    if errors:
        raise ValueError(errors)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name.strip(), prefix=prefix, secret_hash=_hash(secret), scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
        )  # fmt: skip
        record(AuditAction.TOKEN_CREATED, actor=actor, token=prefix, scope=scope, expires_at=token.expires_at.isoformat(),
               message=f"{actor} created the {scope} token {token.name!r} ({prefix}…), valid {days} day(s).")  # fmt: skip
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def revoke_token(*, actor, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s own tokens (a platform operator may revoke anyone's, on the record)."""
    tokens = ApiToken.objects.all() if actor.is_superuser else ApiToken.objects.filter(user=actor)
    with transaction.atomic():
        token = tokens.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise TokenInvalid("No such token, or it is not yours.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(AuditAction.TOKEN_REVOKED, actor=actor, token=token.prefix,
                   message=f"{actor} revoked the token {token.name!r} ({token.prefix}…) of {token.user}.")  # fmt: skip
    return token


def authenticate(text: str) -> ApiToken:
    """The usable token `text` names; TokenInvalid otherwise (nothing says whether the prefix exists)."""
    parts = text.split("_", 2)  # the secret itself may hold underscores
    if len(parts) != 3 or f"{parts[0]}_" != TOKEN_PREFIX:
        raise TokenInvalid("Malformed token: it reads idp_<prefix>_<secret>; create one on the Access tokens page.")
    prefix, secret = parts[1], parts[2]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenInvalid("Unknown token; create one on the Access tokens page.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenInvalid(f"This token was revoked on {token.revoked_at:%Y-%m-%d}; create a new one.")
    if token.expires_at <= now:
        raise TokenInvalid(f"This token expired on {token.expires_at:%Y-%m-%d}; create a new one.")
    if not token.user.is_active:
        raise TokenInvalid("The token's user is deactivated.")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most a write a minute per token
    return token


def grants(token: ApiToken | None, scope: str) -> bool:
    """Whether the request's token allows `scope`; a browser session (no token) may do what its user may."""
    return token is None or scope in GRANTS[token.scope]
