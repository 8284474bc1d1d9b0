"""Personal access tokens for the API and the `platform` CLI: create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance import tokens
from governance.forms import TokenForm
from governance.models import ApiToken


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
               "section": "tokens"}  # fmt: skip
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
