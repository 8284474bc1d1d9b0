from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from provisioning.models import ChangeRequest, Environment, Run


@admin.register(Environment)
class EnvironmentAdmin(GuardedModelAdmin):
    list_display = ["name", "team", "tier", "pattern_version", "status", "expires_at"]
    list_filter = ["status", "tier", "team"]
    search_fields = ["name"]
    readonly_fields = ["team", "name", "tier", "pattern_version", "parameters", "outputs", "resources", "tags",
                       "created_by", "active_run"]  # fmt: skip


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "environment", "action", "status", "requested_by", "created_at"]
    list_filter = ["status", "action"]
    readonly_fields = [f.name for f in ChangeRequest._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "environment", "kind", "status", "worker", "queued_at", "finished_at"]
    list_filter = ["status", "kind"]
    exclude = ["plan_file", "plan_json"]
    readonly_fields = ["environment", "change_request", "kind", "status", "destroy", "log", "plan_changes",
                       "exit_code", "error", "worker", "queued_at", "started_at", "heartbeat_at", "finished_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False
