from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.models import ApprovalRequirement
from governance.permissions import reviewer_groups
from provisioning.choices import ChangeStatus


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    groups = reviewer_groups(request.user)
    pending = (
        ApprovalRequirement.objects.filter(
            group__in=groups,
            superseded=False,
            approval__isnull=True,
            change_request__status=ChangeStatus.AWAITING_APPROVAL,
        )
        .exclude(change_request__requested_by=request.user)
        .select_related("change_request__environment__team", "change_request__requested_by")
        .order_by("created_at")
    )
    return render(request, "governance/approval_queue.html", {"pending": pending, "groups": sorted(groups)})
