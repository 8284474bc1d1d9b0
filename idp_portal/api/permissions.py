"""Token scopes: reading needs `read`, changing anything `write`, deciding on changes `approve`.

What the user behind the token may do is the actions' answer (governance.roles); a scope only
narrows it, so a leaked read token can never request or approve anything.
"""

from __future__ import annotations

from rest_framework import permissions

from governance import tokens
from governance.choices import TokenScope
from governance.models import ApiToken

SAFE = permissions.SAFE_METHODS


class TokenScopeAllows(permissions.BasePermission):
    message = "This token's scope does not allow it; create a token with the {scope} scope."

    def has_permission(self, request, view) -> bool:
        scope = required_scope(request, view)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if tokens.grants(token, scope):
            return True
        self.message = self.message.format(scope=scope)
        return False


def required_scope(request, view) -> str:
    if request.method in SAFE:
        return TokenScope.READ
    action = getattr(view, "action", None)
    return getattr(view, "action_scopes", {}).get(action, TokenScope.WRITE)
