"""How the portal's pages answer an action: the same refusal reads the same way on every page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from provisioning import actions


def perform(request: HttpRequest, act, *, done, back: str) -> HttpResponse:
    """Call `act()`; redirect to `done(result)` with a message, or answer the refusal.

    NotFound is a 404, Forbidden a 403 page that says who can; a refusal because of
    the object's state (or bad input) goes back to `back` with the reason.
    """
    try:
        result = act()
    except actions.NotFound:
        raise Http404("No such object, or you may not see it.") from None
    except actions.Forbidden as exc:
        return forbidden(request, str(exc))
    except (actions.ChangeNotAllowed, actions.RequestInvalid) as exc:
        messages.error(request, _readable(exc))
        return redirect(back)
    target, message = done(result)
    if message:
        messages.success(request, message)
    return redirect(target)


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _readable(exc: actions.ActionError) -> str:
    if isinstance(exc, actions.RequestInvalid):
        return " ".join(message for messages_ in exc.errors.values() for message in messages_)
    return str(exc)


def refused_on_form(form, exc: actions.ActionError) -> int:
    """Show an action's refusal on the form; the status to answer with."""
    if isinstance(exc, actions.NotFound):
        raise Http404(str(exc))
    if isinstance(exc, actions.RequestInvalid):
        errors = exc.errors
    elif isinstance(exc, actions.Forbidden) and "team" in form.fields:
        errors = {"team": [str(exc)]}
    else:
        errors = {"__all__": [str(exc)]}
    form.show_errors(errors, form.cleaned_data)
    return exc.status
