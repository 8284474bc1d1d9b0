"""Reviewer decisions (actions.decide_change): who may decide what, and what follows."""

import pytest
from django.contrib.auth.models import Group

from conftest import make_user, request_change
from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.actions import ActionError, ChangeNotAllowed, Forbidden, NotFound, RequestInvalid, decide_change, runs
from provisioning.choices import ApprovalDecision, ChangeStatus, EnvironmentStatus, RunKind, RunStatus
from provisioning.models import Approval, ChangeRequest
from provisioning.tests.plans import captured_plan, finish_apply, finish_plan, running

APPROVE, REJECT = ApprovalDecision.APPROVED, ApprovalDecision.REJECTED


def decide(user, change, group, decision=APPROVE, comment=""):
    return decide_change(actor=user, change=change, group=group, decision=decision, comment=comment)


def refused(user, change, group, decision=APPROVE, comment="") -> ActionError:
    with pytest.raises(ActionError) as refusal:
        decide(user, change, group, decision, comment)
    return refusal.value


def denied_attempts(change) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(change_request=change, action=AuditAction.APPROVAL_DENIED))


def fresh(change) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=change.pk)


def join_group(user, name):
    user.groups.add(Group.objects.get_or_create(name=name)[0])
    user.__dict__.pop("_reviewer_groups", None)
    return user


# -- who may decide ------------------------------------------------------------------
def test_the_requester_can_never_approve_their_own_change(awaiting, alice):
    # given alice, who requested the change, is also a network reviewer
    join_group(alice, "network")

    # when she approves it for network
    refusal = refused(alice, awaiting, "network")

    # then it is forbidden, nothing is approved, and the attempt is on the record
    assert isinstance(refusal, Forbidden)
    assert str(refusal) == "You requested this change; another reviewer must decide on it."
    assert not Approval.objects.exists()
    assert fresh(awaiting).status == ChangeStatus.AWAITING_APPROVAL
    [attempt] = denied_attempts(awaiting)
    assert attempt.actor == alice and attempt.data == {"group": "network", "source": "portal"}
    assert f"alice tried to approve change #{awaiting.pk} for network via portal: refused." in attempt.message


def test_the_requester_cannot_reject_their_own_change_either(awaiting, alice):
    join_group(alice, "security")
    assert isinstance(refused(alice, awaiting, "security", REJECT, "never mind"), Forbidden)
    assert fresh(awaiting).status == ChangeStatus.AWAITING_APPROVAL
    assert len(denied_attempts(awaiting)) == 1


def test_a_teammate_of_the_requester_who_reviews_may_decide(awaiting, dave):
    # the rule is about the requester, not the team: dave reviews network for his teammate's change
    join_group(dave, "network")
    approval = decide(dave, awaiting, "network")
    assert approval.reviewer == dave


def test_a_reviewer_decides_only_for_their_own_groups(awaiting, sam):
    # when sam (security) approves for network
    refusal = refused(sam, awaiting, "network")

    # then it is forbidden and recorded; the network requirement still waits
    assert isinstance(refusal, Forbidden) and str(refusal) == "You are not in the network reviewer group."
    assert not awaiting.requirements.filter(approval__isnull=False).exists()
    [attempt] = denied_attempts(awaiting)
    assert attempt.actor == sam and "sam tried to approve" in attempt.message


def test_a_teammate_in_no_reviewer_group_cannot_decide(awaiting, dave):
    assert isinstance(refused(dave, awaiting, "network"), Forbidden)
    assert len(denied_attempts(awaiting)) == 1


def test_an_outsider_cannot_even_see_the_change_and_the_attempt_stays_off_its_timeline(awaiting, bob):
    # when bob (analytics) forges a decision on payments' change
    assert isinstance(refused(bob, awaiting, "network"), NotFound)

    # then nothing is revealed, nothing lands in payments' timeline, the security log has it
    assert denied_attempts(awaiting) == []
    assert not AuditEvent.objects.filter(environment=awaiting.environment, actor=bob).exists()
    [attempt] = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert attempt.actor == bob and attempt.team is None and attempt.change_request is None
    assert attempt.data["change_id"] == awaiting.pk


def test_an_unknown_group_or_decision_is_refused(awaiting, nina):
    assert isinstance(refused(nina, awaiting, "sre"), Forbidden)
    with pytest.raises(RequestInvalid, match="Unknown decision 'maybe'"):
        decide(nina, awaiting, "network", "maybe")
    assert not Approval.objects.exists()


def test_approving_twice_is_refused(awaiting, nina):
    # given nina approved for network
    decide(nina, awaiting, "network")

    # when she, or another network reviewer, approves again
    again = refused(nina, awaiting, "network")
    nora = make_user("nora", groups=["network"])
    other = refused(nora, awaiting, "network")

    # then it is refused (a conflict, not a permission problem) and recorded
    assert isinstance(again, ChangeNotAllowed) and str(again) == "Network already approved this change (nina)."
    assert str(other) == "Network already approved this change (nina)."
    assert Approval.objects.count() == 1
    assert len(denied_attempts(awaiting)) == 2


def test_deciding_after_a_rejection_is_refused(awaiting, nina, sam):
    decide(sam, awaiting, "security", REJECT, "The KMS key policy is too broad.")

    refusal = refused(nina, awaiting, "network")

    assert isinstance(refusal, ChangeNotAllowed)
    assert str(refusal) == f"Change #{awaiting.pk} is rejected; it no longer waits for a decision."
    assert fresh(awaiting).status == ChangeStatus.REJECTED


def test_deciding_after_apply_is_refused(awaiting, nina, sam, pat):
    # given the change approved by both groups and applied
    decide(nina, awaiting, "network")
    decide(sam, awaiting, "security")
    assert finish_apply(awaiting).status == ChangeStatus.APPLIED

    # when a reviewer rejects it afterwards, then it is refused
    join_group(pat, "security")
    refusal = refused(pat, awaiting, "security", REJECT, "too late")
    assert str(refusal) == f"Change #{awaiting.pk} is applied; it no longer waits for a decision."
    assert fresh(awaiting).status == ChangeStatus.APPLIED


def test_a_reviewer_whose_groups_the_change_never_needed_cannot_see_it(awaiting, pat):
    # pat reviews platform; a dev change never waited for platform, so for pat it does not exist
    assert isinstance(refused(pat, awaiting, "platform"), NotFound)


def test_deciding_for_a_group_the_change_does_not_need_is_refused(awaiting, nina):
    # nina reviews network (so she sees the change) and platform; a dev change does not need platform
    join_group(nina, "platform")
    refusal = refused(nina, awaiting, "platform")
    assert isinstance(refusal, ChangeNotAllowed)
    assert str(refusal) == f"Change #{awaiting.pk} does not need platform approval."
    assert not Approval.objects.exists()


def test_deciding_on_a_change_that_is_not_waiting_is_refused(awaiting, nina):
    # given a change that waited for network, planned again (checking) after the state moved
    ChangeRequest.objects.filter(pk=awaiting.pk).update(status=ChangeStatus.CHECKING)
    assert (
        str(refused(nina, awaiting, "network"))
        == f"Change #{awaiting.pk} is checking; it no longer waits for a decision."
    )


def test_a_change_still_being_planned_is_not_shown_to_reviewers(alice, payments, catalogue, nina):
    change = request_change(alice, payments, catalogue["web-app"].current_version)  # nobody was asked yet
    assert isinstance(refused(nina, change, "network"), NotFound)


# -- what follows a decision -------------------------------------------------------------
def test_one_approval_of_two_leaves_the_change_waiting(awaiting, nina):
    approval = decide(nina, awaiting, "network", comment="  Entry points look fine.  ")

    assert (approval.reviewer, approval.group, approval.decision) == (nina, "network", APPROVE)
    assert approval.comment == "Entry points look fine."
    change = fresh(awaiting)
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    assert not change.runs.filter(kind=RunKind.APPLY).exists()
    given = AuditEvent.objects.get(change_request=change, action=AuditAction.APPROVAL_GIVEN)
    assert given.actor == nina and given.data == {"group": "network", "source": "portal"}
    assert given.message == f"nina approved change #{change.pk} for network via portal: “Entry points look fine.”"


def test_approval_by_every_group_applies_the_reviewed_plan(awaiting, nina, sam, django_capture_on_commit_callbacks):
    # given network approved
    decide(nina, awaiting, "network")

    # when security approves too
    with django_capture_on_commit_callbacks() as callbacks:
        decide(sam, awaiting, "security")

    # then the change is approved and an apply run of it is queued, started after commit
    change = fresh(awaiting)
    assert change.status == ChangeStatus.APPROVED
    apply_run = change.runs.get(kind=RunKind.APPLY)
    assert apply_run.status == RunStatus.QUEUED and not apply_run.destroy
    assert change.plan_run.kind == RunKind.PLAN  # the apply uses the plan that was reviewed
    assert len(callbacks) == 2  # the approval notification and the apply task; not run here
    approved = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_APPROVED)
    assert approved.actor == sam
    assert approved.message == "Approved by every required group (network, security)."
    assert [
        e.actor_name for e in AuditEvent.objects.filter(change_request=change, action=AuditAction.APPROVAL_GIVEN)
    ] == ["sam", "nina"]


def test_a_rejection_rejects_the_change_and_withdraws_the_new_environment(
    awaiting, nina, sam, django_capture_on_commit_callbacks
):
    # given network approved
    decide(nina, awaiting, "network")

    # when security rejects with a comment
    with django_capture_on_commit_callbacks() as callbacks:
        approval = decide(sam, awaiting, "security", REJECT, "Use the shared KMS key.")

    # then the change is rejected, nothing will be built, and the requester is told (after commit)
    assert approval.decision == REJECT
    change = fresh(awaiting)
    assert change.status == ChangeStatus.REJECTED and change.finished_at
    assert change.environment.status == EnvironmentStatus.WITHDRAWN
    assert not change.runs.filter(kind=RunKind.APPLY).exists()
    assert len(callbacks) == 1
    events = {e.action: e for e in AuditEvent.objects.filter(change_request=change)}
    assert events[AuditAction.APPROVAL_REFUSED].actor == sam
    assert events[AuditAction.APPROVAL_REFUSED].message == (
        f"sam rejected change #{change.pk} for security via portal: “Use the shared KMS key.”"
    )
    assert events[AuditAction.CHANGE_REJECTED].message == "Rejected by sam (security): “Use the shared KMS key.”"


def test_a_rejected_update_leaves_the_environment_as_it_was(awaiting, sam):
    # given the environment exists already and the waiting change is an update of it
    ChangeRequest.objects.filter(pk=awaiting.pk).update(action="update")
    awaiting.environment.status = EnvironmentStatus.ACTIVE
    awaiting.environment.save()

    decide(sam, awaiting, "security", REJECT, "Not like this.")

    assert fresh(awaiting).status == ChangeStatus.REJECTED
    assert fresh(awaiting).environment.status == EnvironmentStatus.ACTIVE


def test_approvals_of_a_stale_plan_do_not_carry_over_to_the_new_plan(awaiting, nina, sam):
    # given network approved the plan, then the state moved before apply
    decide(nina, awaiting, "network")
    decide(sam, awaiting, "security")
    runs.plan_went_stale(running(awaiting.runs.get(kind=RunKind.APPLY)).pk, "Saved plan is stale")
    change = fresh(awaiting)
    assert change.status == ChangeStatus.CHECKING
    assert not change.requirements.current().exists()

    # when the new plan is checked
    change = finish_plan(change, captured_plan("web-app-dev"))

    # then it goes back to review: both groups have to approve again
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    current = change.requirements.current()
    assert sorted(current.values_list("group", flat=True)) == ["network", "security"]
    assert not current.filter(approval__isnull=False).exists()
    decide(nina, change, "network")  # nina may approve the new plan
    assert fresh(change).status == ChangeStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_an_outsiders_attempt_on_another_teams_change_goes_to_the_security_log_only(awaiting, bob, action):
    from provisioning.actions import changes

    # when bob (analytics) tries to cancel or retry payments' change
    with pytest.raises(NotFound):
        getattr(changes, f"{action}_change")(actor=bob, change=awaiting)

    # then payments' timeline has nothing of it; the security log (no team) names bob and the change
    assert not AuditEvent.objects.filter(environment=awaiting.environment, actor=bob).exists()
    [attempt] = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert attempt.actor == bob and attempt.team is None and attempt.environment is None
    assert attempt.data["changerequest_pk"] == awaiting.pk and attempt.data["verb"] == action
    assert f"#{awaiting.pk}" in attempt.message
