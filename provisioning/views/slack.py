"""Slack's two request URLs: `/slack/commands/` (the `/platform` slash command) and `/slack/interactions/`
(buttons). Thin: verify the signature, refuse a replay, find the linked portal user, call the door."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from governance import slack_links
from provisioning.slack import commands, interactions, respond, verification
from provisioning.slack.text import Reply, esc

logger = logging.getLogger(__name__)


def _verified(request: HttpRequest) -> HttpResponse | None:
    """None when the request is from Slack, now; otherwise the refusal (logged)."""
    try:
        verification.verify(request.body, request.headers)
    except verification.Refused as exc:
        logger.warning("Slack request to %s refused (%s) from %s", request.path, exc, request.META.get("REMOTE_ADDR"))
        return HttpResponse("Refused: not a verified Slack request.", status=exc.status, content_type="text/plain")
    return None


def _link_reply(team_id: str, user_id: str, user_name: str) -> Reply:
    """An unlinked Slack user: a one-time link to confirm, signed in, in the portal."""
    try:
        token = slack_links.start_link(slack_team_id=team_id, slack_user_id=user_id, slack_user_name=user_name)
    except slack_links.LinkInvalid:
        return Reply(":warning: This request does not name a Slack workspace and user.")
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("governance:slack_link", args=[token])
    return Reply(f":link: Your Slack account is not linked to the portal yet. <{url}|Open this link>, sign in to the "
                 f"portal, and confirm that @{esc(user_name or user_id)} is you. The link works once, for "
                 f"{slack_links.LINK_MINUTES} minutes; then type your command again.")  # fmt: skip


@csrf_exempt  # Slack cannot send Django's CSRF token: the signature stands in for it
@require_POST
def command(request: HttpRequest) -> HttpResponse:
    if QueryDict(request.body).get("ssl_check") == "1":
        return HttpResponse(status=200)  # Slack checking our certificate: nothing to do, nothing done
    refused = _verified(request)
    if refused:
        return refused
    form = QueryDict(request.body)
    if any("\x00" in value for _, values in form.lists() for value in values):  # PostgreSQL text cannot hold it
        return JsonResponse(Reply(":warning: The command may not contain NUL characters; remove them.").as_json())
    team_id, user_id = form.get("team_id", ""), form.get("user_id", "")
    user_name = form.get("user_name", "")
    if not verification.first_time(
        request.headers["X-Slack-Signature"], f"trigger:{team_id}:{form.get('trigger_id', '')}"
    ):
        logger.warning(
            "Slack command replayed (trigger %s of %s/%s): not run again", form.get("trigger_id"), team_id, user_id
        )
        return JsonResponse(Reply("This command was already handled; nothing was done again.").as_json())
    actor = slack_links.portal_user(team_id, user_id)
    if actor is None:
        return JsonResponse(_link_reply(team_id, user_id, user_name).as_json())
    reply = commands.run(actor=actor, text=form.get("text", ""))
    return JsonResponse(reply.as_json())


@csrf_exempt
@require_POST
def interaction(request: HttpRequest) -> HttpResponse:
    refused = _verified(request)
    if refused:
        return refused
    try:
        text = QueryDict(request.body).get("payload", "")
        if "\x00" in text or "\\u0000" in text:  # PostgreSQL text cannot hold it
            raise ValueError("NUL character")
        payload = json.loads(text)
        user = payload["user"]
        team_id = str(user.get("team_id") or payload["team"]["id"])
        user_id, user_name = str(user["id"]), str(user.get("username") or user.get("name") or "")
        response_url = str(payload.get("response_url", ""))
        if payload.get("type") != "block_actions":
            return HttpResponse(status=200)  # other interactions (shortcuts, modals) are not ours
        action = payload["actions"][0]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        logger.warning("Slack interaction with an unreadable payload: nothing done")
        return HttpResponse("Unreadable payload.", status=400, content_type="text/plain")
    pressed = f"action:{team_id}:{payload.get('trigger_id', '')}:{action.get('action_ts', '')}"
    if not verification.first_time(request.headers["X-Slack-Signature"], pressed):
        logger.warning(
            "Slack interaction replayed (%s by %s/%s): not done again", action.get("action_id"), team_id, user_id
        )
        return HttpResponse(status=200)
    actor = slack_links.portal_user(team_id, user_id)
    if actor is None:
        answer = _link_reply(team_id, user_id, user_name).as_json()
        answer["replace_original"] = False
    else:
        try:
            outcome = interactions.handle(actor=actor, payload=payload, slack_name=user_name or user_id)
        except interactions.BadPayload as exc:
            logger.warning("Slack interaction refused: %s", exc)
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        answer = outcome.as_json()
    # The action has committed (views here run in autocommit): what Slack shows is what the database holds.
    respond.post(response_url, answer)
    return HttpResponse(status=200)
