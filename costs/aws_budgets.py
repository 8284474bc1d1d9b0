"""Each team's budget as an AWS Budget filtered by the team tag, so AWS alerts too, even if the portal is down.

On a real account only (the sandbox's moto implements create and describe): the portal's own
alerts (costs/alerts.py) work everywhere.
"""

from __future__ import annotations

from decimal import Decimal

from botocore.exceptions import BotoCoreError, ClientError


class BudgetSyncFailed(Exception):
    pass


def budget_name(team) -> str:
    return f"idp-team-{team.slug}"


def ensure_team_budget(client, account_id: str, team) -> str:
    """Create or update the team's monthly cost budget; returns its name."""
    budget = {
        "BudgetName": budget_name(team),
        "BudgetLimit": {"Amount": str(Decimal(team.monthly_budget).quantize(Decimal("0.01"))), "Unit": "USD"},
        "CostFilters": {"TagKeyValue": [f"user:team${team.slug}"]},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }
    try:
        try:
            client.describe_budget(AccountId=account_id, BudgetName=budget["BudgetName"])
        except client.exceptions.NotFoundException:
            client.create_budget(AccountId=account_id, Budget=budget)
        else:
            client.update_budget(AccountId=account_id, NewBudget=budget)
    except (BotoCoreError, ClientError) as exc:
        raise BudgetSyncFailed(f"AWS Budgets refused the budget of {team.slug}: {exc}") from exc
    return budget["BudgetName"]
