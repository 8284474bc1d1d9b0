"""Who a Slack user is in the portal: linked by a one-time link that the portal user confirms, signed in.

A Slack payload says only which workspace and user id pressed or typed something (Slack signs that);
it never proves who that is in the portal, and an e-mail or a name in it is never trusted. So an
unlinked Slack user is answered with a link; the portal user who opens it, signed in, sees which Slack
account will act as them and confirms. The link is random, kept only as a hash, expires after
`LINK_MINUTES` and works once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.audit import record
from governance.choices import AuditAction
from governance.models import SlackIdentity, SlackLinkRequest

LINK_MINUTES = 15
# Slack ids are upper-case letters and digits (T…, E…, U…, W…); anything else is not from Slack.
SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


class LinkInvalid(Exception):
    """The link is unknown, used, expired, or the Slack account is linked to someone else."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_slack_id(value: str) -> bool:
    return bool(SLACK_ID.match(value or ""))


def portal_user(slack_team_id: str, slack_user_id: str):
    """The active portal user this Slack user is linked to, or None."""
    identity = (
        SlackIdentity.objects.select_related("user")
        .filter(slack_team_id=slack_team_id, slack_user_id=slack_user_id, user__is_active=True)
        .first()
    )
    return identity.user if identity else None


def start_link(*, slack_team_id: str, slack_user_id: str, slack_user_name: str = "") -> str:
    """A new one-time link token for this Slack user; returned once, stored as a hash."""
    if not (is_slack_id(slack_team_id) and is_slack_id(slack_user_id)):
        raise LinkInvalid("Not a Slack workspace and user id.")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Earlier links of this Slack user that nobody used are of no use any more.
        SlackLinkRequest.objects.filter(
            slack_team_id=slack_team_id, slack_user_id=slack_user_id, used_at__isnull=True
        ).delete()
        SlackLinkRequest.objects.create(
            slack_team_id=slack_team_id, slack_user_id=slack_user_id, slack_user_name=slack_user_name[:80],
            token_hash=_hash(token), expires_at=now + timedelta(minutes=LINK_MINUTES),
        )  # fmt: skip
    return token


def pending_link(token: str) -> SlackLinkRequest:
    """The link request `token` names, if it can still be confirmed; LinkInvalid saying why not."""
    link = SlackLinkRequest.objects.filter(token_hash=_hash(token or "")).first()
    if link is None:
        raise LinkInvalid("This link is unknown. Type /platform in Slack again to get a new one.")
    if link.used_at is not None:
        raise LinkInvalid("This link was already used. Type /platform in Slack again to get a new one.")
    if link.expires_at <= timezone.now():
        raise LinkInvalid(
            f"This link expired (links work for {LINK_MINUTES} minutes). Type /platform in Slack again to get a new one."
        )
    return link


def confirm_link(*, actor, token: str) -> SlackIdentity:
    """The signed-in `actor` confirms that the Slack user of the link is them."""
    if actor is None or not actor.is_authenticated:
        raise LinkInvalid("Sign in to the portal to link your Slack account.")
    try:
        with transaction.atomic():
            link = pending_link(token)
            # Used once, even when two tabs confirm at the same moment.
            if not SlackLinkRequest.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()):
                raise LinkInvalid("This link was already used. Type /platform in Slack again to get a new one.")
            existing = SlackIdentity.objects.filter(
                slack_team_id=link.slack_team_id, slack_user_id=link.slack_user_id
            ).select_related("user").first()  # fmt: skip
            if existing is not None:
                if existing.user_id == actor.pk:
                    return existing
                raise LinkInvalid(
                    "This Slack account is already linked to another portal account; that account must unlink it first."
                )
            identity = SlackIdentity.objects.create(
                slack_team_id=link.slack_team_id, slack_user_id=link.slack_user_id,
                slack_user_name=link.slack_user_name, user=actor,
            )  # fmt: skip
            record(AuditAction.SLACK_LINKED, actor=actor, slack_team_id=identity.slack_team_id,
                   slack_user_id=identity.slack_user_id,
                   message=f"{actor} linked the Slack account @{identity.slack_user_name or identity.slack_user_id} "
                           f"({identity.slack_team_id}/{identity.slack_user_id}): it now acts as {actor} in Slack.")  # fmt: skip
    except IntegrityError:
        raise LinkInvalid("This Slack account was linked a moment ago; reload your tokens page.") from None
    return identity


def unlink(*, actor, identity_id: int) -> SlackIdentity:
    """Remove one of `actor`'s Slack links (a platform operator may remove anyone's, on the record)."""
    identities = SlackIdentity.objects.all() if actor.is_superuser else SlackIdentity.objects.filter(user=actor)
    with transaction.atomic():
        identity = identities.select_for_update().select_related("user").filter(pk=identity_id).first()
        if identity is None:
            raise LinkInvalid("No such Slack link, or it is not yours.")
        record(AuditAction.SLACK_UNLINKED, actor=actor, slack_team_id=identity.slack_team_id,
               slack_user_id=identity.slack_user_id,
               message=f"{actor} unlinked the Slack account @{identity.slack_user_name or identity.slack_user_id} "
                       f"({identity.slack_team_id}/{identity.slack_user_id}) from {identity.user}.")  # fmt: skip
        identity.delete()
    return identity
