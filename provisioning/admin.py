"""Django admin: a read-only window on environments, changes, runs and approvals.

Nothing here writes a row directly. What admin can still do (approve, reject,
cancel, retry, extend) calls the same actions as the portal, with the same
permission checks and audit events; every list shows only what the user may see.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse

from governance import roles
from provisioning import actions
from provisioning.choices import ApprovalDecision, ChangeSource, ChangeStatus
from provisioning.models import (
    Approval,
    ApprovalRequirement,
    ChangeRequest,
    Environment,
    Repository,
    RequestFileSync,
    Run,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows change only through the actions; admin lists what the user may see."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def confirm_then(
    modeladmin, request, queryset, *, title: str, form: forms.Form, verb: str, act, label=str
) -> TemplateResponse | None:
    """Show a confirmation page with `form`; once confirmed and valid, call `act(obj, data)` for each row."""
    if "confirm" not in request.POST or not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "action": request.POST.get("action"),
            "form": form,
            "verb": verb,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/provisioning/confirm_action.html", context)
    for obj in queryset:
        try:
            outcome = act(obj, form.cleaned_data)
            modeladmin.message_user(request, f"{label(obj)}: {outcome}", messages.SUCCESS)
        except actions.ActionError as exc:
            # The refusal's kind travels in the message's tags, as a door's status code would.
            modeladmin.message_user(request, f"{label(obj)}: {exc}", messages.ERROR, extra_tags=type(exc).__name__)
    return None


def change_label(change: ChangeRequest) -> str:
    return f"#{change.pk}"


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=2000)

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required
        self.fields["comment"].error_messages["required"] = "Say why you reject, so the requester knows what to change."
        self.fields["comment"].label = "Comment (required)" if required else "Comment"


class DaysForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=3650, label="Extend by (days)")


@admin.register(Environment)
class EnvironmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "tier", "pattern_version", "status", "expires_at"]
    list_filter = ["status", "tier", "team"]
    search_fields = ["name"]
    actions = ["extend"]

    @admin.action(description="Extend the expiry date")
    def extend(self, request, queryset):
        form = DaysForm(request.POST if "confirm" in request.POST else None)

        def act(environment, data):
            extended = actions.extend_environment(
                actor=request.user, environment=environment, days=data["days"], source=ChangeSource.ADMIN
            )
            return f"expires {extended.expires_at:%Y-%m-%d}."

        return confirm_then(self, request, queryset, title="Extend environments", form=form, verb="Extend", act=act)


class AwaitingMyReviewFilter(admin.SimpleListFilter):
    title = "approval queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "Awaiting my review")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            pending = ApprovalRequirement.objects.pending_for(request.user).values("change_request_id")
            return queryset.filter(pk__in=pending)
        return queryset


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """The approval queue in Django admin: filter 'Awaiting my review', then approve or reject."""

    list_display = ["id", "environment", "action", "status", "requested_by", "waiting_for", "created_at"]
    list_filter = [AwaitingMyReviewFilter, "status", "action"]
    actions = ["approve_for_my_groups", "reject_for_my_groups", "cancel", "retry"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("environment__team", "requested_by")

    @admin.display(description="waiting for")
    def waiting_for(self, obj):
        if obj.status != ChangeStatus.AWAITING_APPROVAL:
            return ""
        return ", ".join(obj.requirements.pending().values_list("group", flat=True))

    @admin.action(description="Approve for my reviewer groups")
    def approve_for_my_groups(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.APPROVED)

    @admin.action(description="Reject for my reviewer groups")
    def reject_for_my_groups(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.REJECTED)

    def _decide(self, request, queryset, decision):
        rejecting = decision == ApprovalDecision.REJECTED
        form = CommentForm(request.POST if "confirm" in request.POST else None, required=rejecting)
        mine = roles.reviewer_groups(request.user)

        def act(change, data):
            groups = list(change.requirements.pending().filter(group__in=mine).values_list("group", flat=True))
            if not groups:
                raise actions.ChangeNotAllowed("nothing waits for your groups.")
            for group in groups:
                actions.decide_change(actor=request.user, change=change, group=group, decision=decision,
                                      comment=data["comment"], source=ChangeSource.ADMIN)  # fmt: skip
            return f"{decision} for {', '.join(groups)}."

        title = "Reject changes" if rejecting else "Approve changes"
        verb = "Reject" if rejecting else "Approve"
        return confirm_then(self, request, queryset, title=title, form=form, verb=verb, act=act, label=change_label)

    @admin.action(description="Cancel the change")
    def cancel(self, request, queryset):
        def act(change, data):
            actions.cancel_change(actor=request.user, change=change, source=ChangeSource.ADMIN)
            return "cancelled."

        form = forms.Form(request.POST if "confirm" in request.POST else None)
        return confirm_then(
            self, request, queryset, title="Cancel changes", form=form, verb="Cancel", act=act, label=change_label
        )

    @admin.action(description="Retry the failed change")
    def retry(self, request, queryset):
        def act(change, data):
            run = actions.retry_change(actor=request.user, change=change, source=ChangeSource.ADMIN)
            return f"planning again (run #{run.pk})."

        form = forms.Form(request.POST if "confirm" in request.POST else None)
        return confirm_then(
            self, request, queryset, title="Retry changes", form=form, verb="Retry", act=act, label=change_label
        )


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["id", "environment", "kind", "status", "worker", "queued_at", "finished_at"]
    list_filter = ["status", "kind"]
    exclude = ["plan_file", "plan_json"]


class ByChangeAdmin(ReadOnlyAdmin):
    """Requirements and approvals are seen with the change they belong to."""

    change_path = "change_request"

    def get_queryset(self, request):
        visible = ChangeRequest.objects.for_user(request.user)
        return admin.ModelAdmin.get_queryset(self, request).filter(**{f"{self.change_path}__in": visible})


@admin.register(ApprovalRequirement)
class ApprovalRequirementAdmin(ByChangeAdmin):
    list_display = ["change_request", "group", "superseded", "created_at"]
    list_filter = ["group", "superseded"]


@admin.register(Approval)
class ApprovalAdmin(ByChangeAdmin):
    list_display = ["requirement", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    change_path = "requirement__change_request"


class RepositoryForm(forms.ModelForm):
    new_webhook_secret = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text="Set it here and in the Git host's webhook (content type application/json, push events). "
        "Stored encrypted and never shown again; leave empty to keep the current one.",
    )  # fmt: skip

    class Meta:
        model = Repository
        fields = ["name", "url", "branch", "folder", "teams", "prune", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        schemes = ("https://", "http://", "ssh://", "git://", "file://")
        if not (url.startswith(schemes) or url.startswith("/")):
            raise forms.ValidationError("Use an https://, ssh://, git:// or file:// URL, or an absolute path.")
        return url

    def save(self, commit=True):
        repository = super().save(commit=False)
        if self.cleaned_data.get("new_webhook_secret"):
            repository.set_webhook_secret(self.cleaned_data["new_webhook_secret"])
        if commit:
            repository.save()
            self.save_m2m()
        return repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    """Repositories are configuration, kept by platform operators; their files change environments only
    through the actions, as the commits' authors."""

    form = RepositoryForm
    list_display = ["name", "url", "branch", "folder", "prune", "has_webhook_secret", "last_synced_commit",
                    "last_synced_at", "last_error"]  # fmt: skip
    readonly_fields = ["last_synced_commit", "last_synced_at", "last_attempt_at", "last_error", "webhook_url"]
    filter_horizontal = ["teams"]
    actions = ["sync_now"]

    @admin.display(boolean=True, description="webhook secret")
    def has_webhook_secret(self, obj) -> bool:
        return obj.has_webhook_secret

    @admin.display(description="Webhook URL")
    def webhook_url(self, obj) -> str:
        return "/gitops/webhook/ on this portal's address (signature: X-Hub-Signature-256, HMAC-SHA256)"

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset):
        from provisioning.tasks import sync_repository_task

        for repository in queryset:
            transaction.on_commit(lambda pk=repository.pk: sync_repository_task.delay(pk))
        self.message_user(request, f"Sync queued for {', '.join(r.name for r in queryset)}.", messages.SUCCESS)


@admin.register(RequestFileSync)
class RequestFileSyncAdmin(ReadOnlyAdmin):
    list_display = ["repository", "path", "team", "environment", "status", "last_commit", "author", "updated_at"]
    list_filter = ["status", "repository"]
    search_fields = ["path", "message"]
