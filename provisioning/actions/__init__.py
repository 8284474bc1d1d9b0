"""Every business event is one function here: the only way to do it, whatever the door.

Each takes a keyword-only `actor` and `source`, checks permission itself through the
one entry point (`Model.objects.for_user`), validates, writes its audit event and
starts background work on commit, in one transaction. Pages, Django admin and every
later door call these and nothing else. The worker reports back through `actions.runs`.
"""

from provisioning.actions.changes import cancel_change, retry_change
from provisioning.actions.decisions import decide_change
from provisioning.actions.errors import ActionError, ChangeNotAllowed, Forbidden, NotFound, RequestInvalid
from provisioning.actions.evolution import (
    check_drift,
    preview_upgrade,
    promote_environment,
    reconcile_drift,
    upgrade_environment,
)
from provisioning.actions.lifecycle import decommission_environment, extend_environment
from provisioning.actions.requests import request_environment, update_environment
from provisioning.actions.teams import update_team_settings

__all__ = [
    "ActionError",
    "ChangeNotAllowed",
    "Forbidden",
    "NotFound",
    "RequestInvalid",
    "cancel_change",
    "check_drift",
    "decide_change",
    "decommission_environment",
    "extend_environment",
    "preview_upgrade",
    "promote_environment",
    "reconcile_drift",
    "request_environment",
    "retry_change",
    "update_environment",
    "update_team_settings",
    "upgrade_environment",
]
