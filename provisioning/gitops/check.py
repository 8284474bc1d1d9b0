"""The speculative check of a request file: catalogue, values, permission, parameter policies and
budget, with a cost quote. It stores nothing and plans nothing (it is not a Terraform plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costs import budgets
from governance import gates, roles
from governance.choices import ChangeAction, Verb
from provisioning import costing
from provisioning.actions.requests import remaining_days
from provisioning.gitops.files import Problem, RequestFile, parse
from provisioning.gitops.intent import CREATE, NOTHING, UPGRADE, Intent, resolve
from provisioning.models import ChangeRequest, Environment
from provisioning.validation import expiry, validate_parameters_of, validate_request, validate_update


@dataclass
class Outcome:
    path: str
    action: str = NOTHING
    team: str = ""
    name: str = ""
    environment: int | None = None
    change: int | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quote: dict | None = None
    busy: bool = False  # refused only because the environment is busy: worth trying again later

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"path": self.path, "valid": self.valid, "action": self.action, "team": self.team, "name": self.name,
                "environment": self.environment, "change": self.change,
                "problems": [p.as_dict() for p in self.problems], "notes": self.notes, "quote": self.quote}  # fmt: skip


def outcome_of(intent: Intent) -> Outcome:
    request = intent.file
    return Outcome(
        path=request.path, action=intent.action, team=request.team, name=request.name,
        environment=intent.environment.pk if intent.environment else None,
        change=intent.pending.pk if intent.pending else None, problems=list(intent.problems), notes=list(intent.notes),
    )  # fmt: skip


def check_file(actor, path: str, text: str) -> Outcome:
    request, problems = parse(path, text)
    if request is None:
        return Outcome(path=path, problems=problems)
    intent = resolve(actor, request)
    outcome = outcome_of(intent)
    outcome.problems[:0] = problems  # unknown or repeated keys: reported, and the rest is still checked
    if intent.problems:
        return outcome
    if intent.pending is not None:
        outcome.notes.append(f"Change #{intent.pending.pk} already asks for what this file says.")
        return outcome
    if intent.action == NOTHING:
        outcome.notes.append(f"{intent.environment} already runs what this file says; applying it changes nothing.")
        outcome.quote = {"monthly": _text(intent.environment.estimated_monthly_cost)}
        return outcome
    speculate(actor, intent, outcome)
    return outcome


def speculate(actor, intent: Intent, outcome: Outcome) -> None:
    """What the action would answer, without storing anything: permission, values, policies, budget, quote."""
    request = intent.file
    verb = Verb.REQUEST if intent.action == CREATE else Verb.UPDATE
    if not roles.allows(actor, verb, intent.team, intent.tier):
        outcome.problems.append(request.problem("metadata.team", roles.refusal(actor, verb, intent.team, intent.tier)))
        return
    if intent.action == CREATE:
        ttl, errors = validate_request(
            team=intent.team, pattern_version=intent.version, name=request.name, tier=intent.tier,
            ttl_days=request.ttl_days, parameters=intent.parameters, application=request.application or request.name,
        )  # fmt: skip
        environment = Environment(
            team=intent.team, name=request.name, application=request.application or request.name, tier=intent.tier,
            pattern_version=intent.version, parameters=intent.parameters, expires_at=expiry(ttl),
        )  # fmt: skip
    else:
        environment = intent.environment
        ttl = remaining_days(environment)
        if intent.action == UPGRADE:
            errors = validate_parameters_of(intent.version, intent.parameters)
        else:
            errors = validate_update(environment=environment, parameters=intent.parameters)
    outcome.problems.extend(request.problems_from(errors))
    if errors:
        return
    change = ChangeRequest(
        environment=environment, action=ChangeAction.CREATE if intent.action == CREATE else ChangeAction.UPDATE,
        parameters=intent.parameters, ttl_days=ttl, reason=request.reason,
        pattern_version=intent.version if intent.action == UPGRADE else None,
    )  # fmt: skip
    estimate = costing.quote_parameters(intent.version, intent.tier, intent.parameters)
    costing.set_estimate(change, estimate, "quote")
    costs = costing.costs_input(change)
    outcome.quote = quote_of(change, estimate, costs)
    try:
        results = gates.check_parameters(change, costs=costs)
    except gates.GovernanceUnavailable as exc:
        outcome.problems.append(request.problem("spec", str(exc)))
        return
    outcome.problems.extend(policy_problems(request, results))


def policy_problems(request: RequestFile, results: list[dict]) -> list[Problem]:
    found = []
    for result in results:
        fix = f" Fix: {result['remediation']}" if result.get("remediation") else ""
        severity = "error" if result.get("severity") == "deny" else "warning"
        found.append(request.problem(request.key_of_field(result.get("field") or ""),
                                     f"[{result['policy']}] {result['message']}{fix}", severity))  # fmt: skip
    return found


def quote_of(change: ChangeRequest, estimate, costs: dict) -> dict:
    quote = {"monthly": _text(change.cost_estimate), "delta": _text(change.cost_delta)}
    if estimate is not None:
        quote.update(
            currency=estimate.currency, unknown=estimate.unknown, usage_not_estimated=estimate.usage_not_estimated
        )
    if costs:
        quote["budget"] = {"mode": costs["mode"], "over_budget": costs["over_budget"], **costs["text"]}
    return quote


def _text(value) -> str | None:
    return None if value is None else budgets.money(Decimal(value))
