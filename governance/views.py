from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from governance.approval_rules import concerning
from governance.audit import record
from governance.choices import ApprovalDecision, AuditAction
from governance.forms import DecisionForm
from governance.gates import approval_rules
from governance.models import ApprovalRequirement
from governance.permissions import get_for_user, reviewer_groups
from governance.services import ApprovalRefused, decide_change
from provisioning.choices import ChangeStatus
from provisioning.models import ChangeRequest
from provisioning.terraform.plan_diff import summary


def pending_for(user):
    """Requirements waiting for one of the user's reviewer groups, never the user's own changes."""
    return (
        ApprovalRequirement.objects.filter(
            group__in=reviewer_groups(user),
            superseded=False,
            approval__isnull=True,
            change_request__status=ChangeStatus.AWAITING_APPROVAL,
        )
        .exclude(change_request__requested_by=user)
        .select_related(
            "change_request__environment__team",
            "change_request__environment__pattern_version__pattern",
            "change_request__requested_by",
            "plan_run",
        )
        .defer("plan_run__plan_file", "plan_run__plan_json", "plan_run__log")
        .order_by("created_at")
    )


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    rules = approval_rules()
    items = []
    for req in pending_for(request.user):
        plan_changes = req.plan_run.plan_changes if req.plan_run else []
        items.append(
            {
                "requirement": req,
                "plan_summary": summary(plan_changes),
                "concerning": concerning(rules, req.group, plan_changes),
                "diff_id": f"plan-diff-{req.pk}",
                "concerning_id": f"concerning-{req.pk}",
            }
        )
    context = {"items": items, "groups": sorted(reviewer_groups(request.user)), "form": DecisionForm()}
    return render(request, "governance/approval_queue.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one change for one group; htmx swaps the queue item for the outcome."""
    try:
        change = get_for_user(ChangeRequest.objects.all(), request.user, pk=pk)
    except Http404:
        # A forged POST for a change the user may not see: 404 (its existence is not revealed), on the record.
        record(
            AuditAction.APPROVAL_DENIED,
            actor=request.user,
            change=ChangeRequest.objects.select_related("environment__team").filter(pk=pk).first(),
            message=f"{request.user} tried to decide on change #{pk}, which they may not see: refused.",
            group=request.POST.get("group", "")[:40],
        )
        raise
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "governance/partials/decision.html", {"change": change, "form": form}, status=400)
    data = form.cleaned_data
    try:
        approval = decide_change(
            actor=request.user, change=change, group=data["group"], decision=data["decision"], comment=data["comment"]
        )
    except ApprovalRefused as exc:
        context = {"change": change, "error": str(exc)}
        return render(request, "governance/partials/decision.html", context, status=403 if exc.forbidden else 409)
    change.refresh_from_db()
    context = {"change": change, "approval": approval, "approved": approval.decision == ApprovalDecision.APPROVED}
    return render(request, "governance/partials/decision.html", context)
