from django.contrib import admin, messages
from django.template.response import TemplateResponse
from guardian.admin import GuardedModelAdmin

from governance.choices import ApprovalDecision
from governance.permissions import reviewer_groups
from governance.services import ApprovalRefused, decide_change
from provisioning.choices import ChangeStatus
from provisioning.models import ChangeRequest, Environment, Run


@admin.register(Environment)
class EnvironmentAdmin(GuardedModelAdmin):
    list_display = ["name", "team", "tier", "pattern_version", "status", "expires_at"]
    list_filter = ["status", "tier", "team"]
    search_fields = ["name"]
    readonly_fields = ["team", "name", "tier", "pattern_version", "parameters", "outputs", "resources", "tags",
                       "created_by", "active_run"]  # fmt: skip


class AwaitingMyReviewFilter(admin.SimpleListFilter):
    title = "approval queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "Awaiting my review")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return (
                queryset.filter(
                    status=ChangeStatus.AWAITING_APPROVAL,
                    requirements__group__in=reviewer_groups(request.user),
                    requirements__superseded=False,
                    requirements__approval__isnull=True,
                )
                .exclude(requested_by=request.user)
                .distinct()
            )
        return queryset


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """The approval queue in Django admin: filter 'Awaiting my review', then approve or reject."""

    list_display = ["id", "environment", "action", "status", "requested_by", "waiting_for", "created_at"]
    list_filter = [AwaitingMyReviewFilter, "status", "action"]
    readonly_fields = [f.name for f in ChangeRequest._meta.fields]
    actions = ["approve_for_my_groups", "reject_for_my_groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("environment__team", "requested_by")

    @admin.display(description="waiting for")
    def waiting_for(self, obj):
        pending = obj.requirements.filter(superseded=False, approval__isnull=True).values_list("group", flat=True)
        return ", ".join(pending) if obj.status == ChangeStatus.AWAITING_APPROVAL else ""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve for my reviewer groups")
    def approve_for_my_groups(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.APPROVED)

    @admin.action(description="Reject for my reviewer groups")
    def reject_for_my_groups(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.REJECTED)

    def _decide(self, request, queryset, decision):
        """First show a confirmation page asking for a comment, then decide through the same service as the portal."""
        comment = request.POST.get("comment", "").strip()
        if "confirm" not in request.POST or (decision == ApprovalDecision.REJECTED and not comment):
            context = {
                **self.admin_site.each_context(request),
                "title": f"{'Approve' if decision == ApprovalDecision.APPROVED else 'Reject'} changes",
                "changes": queryset,
                "action": request.POST.get("action"),
                "decision": decision,
                "comment_required": decision == ApprovalDecision.REJECTED,
                "missing_comment": "confirm" in request.POST,
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/provisioning/decide_changes.html", context)
        for change in queryset:
            groups = change.requirements.filter(
                superseded=False, approval__isnull=True, group__in=reviewer_groups(request.user)
            ).values_list("group", flat=True)
            if not groups:
                self.message_user(request, f"#{change.pk}: nothing waits for your groups.", messages.WARNING)
            for group in list(groups):
                try:
                    decide_change(actor=request.user, change=change, group=group, decision=decision, comment=comment)
                    self.message_user(request, f"#{change.pk}: {decision} for {group}.", messages.SUCCESS)
                except ApprovalRefused as exc:
                    self.message_user(request, f"#{change.pk}: {exc}", messages.ERROR)
        return None


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "environment", "kind", "status", "worker", "queued_at", "finished_at"]
    list_filter = ["status", "kind"]
    exclude = ["plan_file", "plan_json"]
    readonly_fields = ["environment", "change_request", "kind", "status", "destroy", "log", "plan_changes",
                       "exit_code", "error", "worker", "queued_at", "started_at", "heartbeat_at", "finished_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False
