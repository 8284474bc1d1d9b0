"""What an action answers when it refuses; each door turns `status` into its own form (page, JSON, exit code)."""

from __future__ import annotations


class ActionError(Exception):
    status = 400


class NotFound(ActionError):
    """The actor may not see the object: nothing more is revealed."""

    status = 404


class Forbidden(ActionError):
    """The actor may see the object but not do this to it; the message says who can."""

    status = 403


class ChangeNotAllowed(ActionError):
    """The object is not in a state where this makes sense (busy, already decided, decommissioned...)."""

    status = 409


class RequestInvalid(ActionError):
    """Bad input: `errors` maps each field (or `__all__`) to what to change. Nothing was stored."""

    status = 400

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
