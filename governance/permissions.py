"""The one permission entry point: `Model.objects.for_user(user, action)`.

Pages, the API and dashboards all go through it, so team isolation is decided
in one place. Objects a user may not see are simply absent from the queryset,
which views turn into a 404 (netbox `utilities/querysets.py::RestrictedQuerySet`).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.http import Http404

VIEW = "view"
CHANGE = "change"


class RestrictedQuerySet(models.QuerySet):
    def for_user(self, user: User | AnonymousUser, action: str = VIEW) -> models.QuerySet:
        if action not in (VIEW, CHANGE):
            raise ValueError(f"unknown action {action!r}")
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.restrict(user, action)

    def restrict(self, user: User, action: str) -> models.QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError


def get_for_user(queryset: RestrictedQuerySet, user, action: str = VIEW, **lookup):
    """Fetch one object the user may act on, or 404: existence is not revealed."""
    try:
        return queryset.for_user(user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def reviewer_groups(user) -> set[str]:
    """Names of the reviewer groups (network, security, platform, finance) the user is in."""
    from governance.choices import ReviewerGroup

    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_reviewer_groups"):
        names = user.groups.filter(name__in=ReviewerGroup.values).values_list("name", flat=True)
        user._reviewer_groups = set(names)
    return user._reviewer_groups
