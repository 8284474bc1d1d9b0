"""The one permission entry point: `Model.objects.for_user(user, action)`.

Pages, admin, the actions and every later door go through it, so team isolation
is decided in one place. Objects a user may not act on are simply absent from
the queryset; a door turns "absent" into a 404 (existence is not revealed) or,
when the user may see the object but not do this to it, a 403
(netbox `utilities/querysets.py::RestrictedQuerySet`).

`action` is "view" or one of the business verbs that `governance.roles`
defines; each model's `restrict` decides what they mean for it. This module
imports no app: it is the floor every app stands on.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.http import Http404

VIEW = "view"
# The actor of what the portal does on its own (the expiry sweep, the reaper).
# It cannot sign in: inactive, no usable password.
SYSTEM_USERNAME = "idp-system"


def is_system(user) -> bool:
    return getattr(user, "username", None) == SYSTEM_USERNAME and not user.is_active and not user.has_usable_password()


class RestrictedQuerySet(models.QuerySet):
    def for_user(self, user: User | AnonymousUser | None, action: str = VIEW) -> models.QuerySet:
        if user is None:
            return self.none()
        if is_system(user):
            return self.restrict_system(action)
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            # A superuser is a platform operator; actions audit what they do outside their own teams.
            return self
        return self.restrict(user, action)

    def restrict(self, user: User, action: str) -> models.QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError

    def restrict_system(self, action: str) -> models.QuerySet:
        return self.none()


def get_for_user(queryset: RestrictedQuerySet, user, action: str = VIEW, **lookup):
    """Fetch one object the user may act on, or 404: existence is not revealed."""
    try:
        return queryset.for_user(user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
