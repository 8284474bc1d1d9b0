"""Apply a request file: create, update or upgrade its environment through the actions (which check
permission, validate, audit and plan), or nothing when it already is as the file says."""

from __future__ import annotations

from provisioning import actions
from provisioning.choices import ChangeStatus
from provisioning.gitops.check import Outcome, outcome_of, policy_problems
from provisioning.gitops.files import parse
from provisioning.gitops.intent import CREATE, NOTHING, UPDATE, UPGRADE, resolve


def apply_file(actor, path: str, text: str, *, source: str, origin: dict | None = None) -> Outcome:
    """`outcome.change` is the change submitted (or the open one that already asks for this)."""
    request, problems = parse(path, text)
    if request is None or problems:
        return Outcome(path=path, problems=problems)
    intent = resolve(actor, request)
    outcome = outcome_of(intent)
    if intent.problems:
        return outcome
    if intent.pending is not None:
        outcome.notes.append(f"Change #{intent.pending.pk} already asks for what this file says.")
        return outcome
    if intent.action == NOTHING:
        outcome.notes.append(f"{intent.environment} already runs what this file says.")
        return outcome
    try:
        if intent.action == CREATE:
            change = actions.request_environment(
                actor=actor, team=intent.team, pattern_version=intent.version, name=request.name, tier=intent.tier,
                ttl_days=request.ttl_days, parameters=intent.parameters, reason=request.reason, source=source,
                application=request.application, origin=origin,
            )  # fmt: skip
        elif intent.action == UPDATE:
            change = actions.update_environment(actor=actor, environment=intent.environment,
                                                parameters=intent.parameters, reason=request.reason, source=source,
                                                origin=origin)  # fmt: skip
        else:
            assert intent.action == UPGRADE
            change = actions.upgrade_environment(actor=actor, environment=intent.environment,
                                                 parameters=intent.parameters, reason=request.reason, source=source,
                                                 origin=origin)  # fmt: skip
    except actions.RequestInvalid as exc:
        outcome.problems.extend(request.problems_from(exc.errors))
        return outcome
    except (actions.Forbidden, actions.NotFound) as exc:
        outcome.problems.append(request.problem("metadata.team", str(exc)))
        return outcome
    except actions.ActionError as exc:
        outcome.problems.append(request.problem("metadata.name", str(exc)))
        outcome.busy = isinstance(exc, actions.ChangeNotAllowed)
        return outcome
    outcome.change, outcome.environment = change.pk, change.environment_id
    if change.status == ChangeStatus.REJECTED:
        outcome.problems.extend(policy_problems(request, change.denials) or [
            request.problem("spec", change.failure_reason or f"Change #{change.pk} was rejected.")])  # fmt: skip
    return outcome
