from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance: teams, policies, approvals, audit"

    def ready(self) -> None:
        from governance import checks, signals  # noqa: F401
