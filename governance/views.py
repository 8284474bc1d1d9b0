"""Personal access tokens for the API and the `platform` CLI (create, shown once; list; revoke), and the
Slack accounts that act as the user (link by confirming a one-time link, unlink)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance import slack_links, tokens
from governance.forms import TokenForm
from governance.models import ApiToken, SlackIdentity


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, created = tokens.create_token(actor=request.user, **form.cleaned_data)
            form = TokenForm()
        else:
            status = 400
    context = {"form": form, "created": created, "tokens": ApiToken.objects.filter(user=request.user),
               "slack_identities": SlackIdentity.objects.filter(user=request.user), "section": "tokens"}  # fmt: skip
    response = render(request, "governance/tokens.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"  # the secret is on this page once; never from a cache
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.revoke_token(actor=request.user, token_id=pk)
    except tokens.TokenInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Token {token.name!r} revoked: it no longer works.")
    return redirect("governance:tokens")


@login_required
def slack_link(request: HttpRequest, token: str) -> HttpResponse:
    """A Slack user's one-time link: the signed-in user sees which Slack account would act as them, and confirms."""
    try:
        link = slack_links.pending_link(token)
    except slack_links.LinkInvalid as exc:
        return render(request, "governance/slack_link.html", {"error": str(exc), "section": "tokens"}, status=404)
    if request.method == "POST":
        try:
            identity = slack_links.confirm_link(actor=request.user, token=token)
        except slack_links.LinkInvalid as exc:
            return render(request, "governance/slack_link.html", {"error": str(exc), "link": link,
                                                                   "section": "tokens"}, status=409)  # fmt: skip
        messages.success(request, f"Slack account @{identity.slack_user_name or identity.slack_user_id} linked: "
                                  "/platform in Slack now acts as you.")  # fmt: skip
        return redirect("governance:tokens")
    response = render(request, "governance/slack_link.html", {"link": link, "section": "tokens"})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def slack_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        identity = slack_links.unlink(actor=request.user, identity_id=pk)
    except slack_links.LinkInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Slack account @{identity.slack_user_name or identity.slack_user_id} unlinked: "
                                  "it can no longer act as you.")  # fmt: skip
    return redirect("governance:tokens")
