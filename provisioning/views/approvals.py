from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from governance import roles
from governance.approval_rules import concerning
from governance.gates import approval_rules
from provisioning import actions
from provisioning.choices import ApprovalDecision, ChangeSource
from provisioning.forms import DecisionForm
from provisioning.models import ApprovalRequirement, ChangeRequest
from provisioning.terraform.plan_diff import summary


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    rules = approval_rules()
    pending = (
        ApprovalRequirement.objects.pending_for(request.user)
        .select_related(
            "change_request__environment__team",
            "change_request__environment__pattern_version__pattern",
            "change_request__requested_by",
            "plan_run",
        )
        .defer("plan_run__plan_file", "plan_run__plan_json", "plan_run__log")
        .order_by("created_at")
    )
    items = []
    for req in pending:
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
    context = {"items": items, "groups": sorted(roles.reviewer_groups(request.user)), "form": DecisionForm()}
    return render(request, "provisioning/approval_queue.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one change for one group; htmx swaps the queue item for the outcome."""
    change = ChangeRequest(pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if not ChangeRequest.objects.for_user(request.user).filter(pk=pk).exists():
            raise Http404("No such change, or you may not see it.")
        return render(request, "provisioning/partials/decision.html", {"change": change, "form": form}, status=400)
    data = form.cleaned_data
    try:
        approval = actions.decide_change(
            actor=request.user,
            change=change,
            group=data["group"],
            decision=data["decision"],
            comment=data["comment"],
            source=ChangeSource.PORTAL,
        )
    except actions.NotFound:
        raise Http404("No such change, or you may not see it.") from None
    except actions.ActionError as exc:
        return render(
            request, "provisioning/partials/decision.html", {"change": change, "error": str(exc)}, status=exc.status
        )
    change.refresh_from_db()
    context = {"change": change, "approval": approval, "approved": approval.decision == ApprovalDecision.APPROVED}
    return render(request, "provisioning/partials/decision.html", context)
