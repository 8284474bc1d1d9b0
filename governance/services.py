"""Reviewer decisions on changes."""

from __future__ import annotations

from django.db import transaction

from governance.audit import record
from governance.choices import ApprovalDecision, AuditAction, ReviewerGroup
from governance.models import Approval
from governance.permissions import reviewer_groups
from provisioning import services as provisioning
from provisioning.choices import ChangeStatus
from provisioning.models import ChangeRequest

VERBS = {ApprovalDecision.APPROVED: "approve", ApprovalDecision.REJECTED: "reject"}


class ApprovalRefused(Exception):
    """The decision is not allowed. `forbidden` means the reviewer may never make it (403)."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message)
        self.forbidden = forbidden


def decide_change(*, actor, change: ChangeRequest, group: str, decision: str, comment: str = "") -> Approval:
    """Approve or reject `change` on behalf of `group`. When every group approved, the reviewed plan is applied."""
    if decision not in ApprovalDecision.values:
        raise ApprovalRefused(f"Unknown decision {decision!r}; approve or reject.")
    if group not in ReviewerGroup.values:
        raise ApprovalRefused(f"Unknown reviewer group {group!r}.", forbidden=True)
    refused: ApprovalRefused | None = None
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().select_related("environment__team").get(pk=change.pk)
        if change.requested_by_id == actor.pk:
            refused = ApprovalRefused("You requested this change; another reviewer must decide on it.", forbidden=True)
        elif group not in reviewer_groups(actor):
            refused = ApprovalRefused(f"You are not in the {group} reviewer group.", forbidden=True)
        elif change.status != ChangeStatus.AWAITING_APPROVAL:
            refused = ApprovalRefused(
                f"Change #{change.pk} is {change.get_status_display().lower()}; it no longer waits for a decision."
            )
        else:
            requirement = change.requirements.filter(group=group, superseded=False).select_related("approval").first()
            if requirement is None:
                refused = ApprovalRefused(f"Change #{change.pk} does not need {group} approval.")
            elif hasattr(requirement, "approval"):
                earlier = requirement.approval
                refused = ApprovalRefused(
                    f"{group.title()} already {earlier.get_decision_display().lower()} this change ({earlier.reviewer})."
                )
        if refused is None:
            approval = Approval.objects.create(
                requirement=requirement, reviewer=actor, decision=decision, comment=comment.strip()
            )
            _after_decision(actor, change, approval)
            return approval
    # Outside the failed transaction, so the attempt itself stays on the record.
    record(
        AuditAction.APPROVAL_DENIED,
        actor=actor,
        change=change,
        message=f"{actor} tried to {VERBS[decision]} change #{change.pk} for {group}: refused. {refused}",
        group=group,
    )
    raise refused


def _after_decision(actor, change: ChangeRequest, approval: Approval) -> None:
    group = approval.requirement.group
    comment = f": “{approval.comment}”" if approval.comment else ""
    if approval.decision == ApprovalDecision.REJECTED:
        record(AuditAction.APPROVAL_REFUSED, actor=actor, change=change,
               message=f"{actor} rejected change #{change.pk} for {group}{comment}", group=group)  # fmt: skip
        provisioning.reject_by_reviewer(change, actor=actor, message=f"Rejected by {actor} ({group}){comment}")
        return
    record(AuditAction.APPROVAL_GIVEN, actor=actor, change=change,
           message=f"{actor} approved change #{change.pk} for {group}{comment}", group=group)  # fmt: skip
    pending = change.requirements.filter(superseded=False, approval__isnull=True)
    if not pending.exists():
        groups = ", ".join(change.requirements.filter(superseded=False).values_list("group", flat=True))
        provisioning.approve_and_apply(change, actor=actor, message=f"Approved by every required group ({groups}).")
