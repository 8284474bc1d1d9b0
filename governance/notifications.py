"""Tell people about changes (filled in by the governance issue: e-mail and Slack)."""


def notify_change(change_id: int, event: str) -> None:
    return None
