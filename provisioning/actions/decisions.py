"""A reviewer approves or rejects a change for one of their groups."""

from __future__ import annotations

from django.db import transaction

from governance import roles
from governance.audit import record
from governance.choices import AuditAction, ReviewerGroup, Verb
from provisioning.actions.errors import ActionError, ChangeNotAllowed, Forbidden, NotFound, RequestInvalid
from provisioning.actions.pipeline import approve_and_apply, reject
from provisioning.choices import ApprovalDecision, ChangeSource, ChangeStatus
from provisioning.models import Approval, ChangeRequest

VERBS = {ApprovalDecision.APPROVED: "approve", ApprovalDecision.REJECTED: "reject"}


def decide_change(
    *, actor, change: ChangeRequest, group: str, decision: str, comment: str = "", source: str = ChangeSource.PORTAL
) -> Approval:
    """Approve or reject `change` on behalf of `group`. When every group approved, the reviewed plan is applied.

    A refused attempt on a change the actor may see stays on the change's record; one on a change
    they may not see goes to the security log only (the other team's timeline is theirs).
    """
    if decision not in ApprovalDecision.values:
        raise RequestInvalid({"decision": [f"Unknown decision {decision!r}; approve or reject."]})
    comment = (comment or "").strip()
    if decision == ApprovalDecision.REJECTED and not comment:
        raise RequestInvalid({"comment": ["Say why you reject it, so the requester knows what to change."]})
    visible = ChangeRequest.objects.for_user(actor, Verb.VIEW).filter(pk=change.pk).exists()
    if not visible:
        if actor is not None and actor.is_authenticated:
            record(AuditAction.ACCESS_DENIED, actor=actor, change_id=change.pk, group=str(group)[:40], source=source,
                   message=f"{actor} tried to decide on change #{change.pk}, which they may not see: refused.")  # fmt: skip
        raise NotFound("No such change, or you may not see it.")
    refused: ActionError | None = None
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().select_related("environment__team").get(pk=change.pk)
        requirement = None
        if group not in ReviewerGroup.values:
            refused = Forbidden(f"There is no reviewer group {group!r}; use {', '.join(ReviewerGroup.values)}.")
        elif change.requested_by_id == actor.pk:
            refused = Forbidden("You requested this change; another reviewer must decide on it.")
        elif group not in roles.reviewer_groups(actor):
            refused = Forbidden(f"You are not in the {group} reviewer group.")
        elif change.status != ChangeStatus.AWAITING_APPROVAL:
            refused = ChangeNotAllowed(
                f"Change #{change.pk} is {change.get_status_display().lower()}; it no longer waits for a decision."
            )
        else:
            requirement = change.requirements.current().filter(group=group).select_related("approval").first()
            if requirement is None:
                refused = ChangeNotAllowed(f"Change #{change.pk} does not need {group} approval.")
            elif hasattr(requirement, "approval"):
                earlier = requirement.approval
                refused = ChangeNotAllowed(
                    f"{group.title()} already {earlier.get_decision_display().lower()} this change ({earlier.reviewer})."
                )
        if refused is None:
            approval = Approval.objects.create(
                requirement=requirement, reviewer=actor, decision=decision, comment=comment
            )
            _after_decision(actor, change, approval, source)
            return approval
    # Outside the failed transaction, so the attempt itself stays on the record.
    record(
        AuditAction.APPROVAL_DENIED,
        actor=actor,
        change=change,
        message=f"{actor} tried to {VERBS[decision]} change #{change.pk} for {group} via {source}: refused. {refused}",
        group=str(group)[:40],
        source=source,
    )
    raise refused


def _after_decision(actor, change: ChangeRequest, approval: Approval, source: str) -> None:
    group = approval.requirement.group
    comment = f": “{approval.comment}”" if approval.comment else ""
    if approval.decision == ApprovalDecision.REJECTED:
        record(AuditAction.APPROVAL_REFUSED, actor=actor, change=change, group=group, source=source,
               message=f"{actor} rejected change #{change.pk} for {group} via {source}{comment}")  # fmt: skip
        reject(change, f"Rejected by {actor} ({group}){comment}", actor=actor)
        return
    record(AuditAction.APPROVAL_GIVEN, actor=actor, change=change, group=group, source=source,
           message=f"{actor} approved change #{change.pk} for {group} via {source}{comment}")  # fmt: skip
    if not change.requirements.pending().exists():
        groups = ", ".join(change.requirements.current().values_list("group", flat=True))
        approve_and_apply(change, actor=actor, message=f"Approved by every required group ({groups}).")
