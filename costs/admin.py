from django.contrib import admin

from costs.models import BudgetAlert, CostRecord, SpendAnomaly, SpendSync


class ReadOnly(admin.ModelAdmin):
    """Written by the collector and the alert sweep only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CostRecord)
class CostRecordAdmin(ReadOnly):
    list_display = ["environment", "day", "amount", "currency"]
    list_filter = ["day"]
    date_hierarchy = "day"


@admin.register(SpendSync)
class SpendSyncAdmin(ReadOnly):
    list_display = ["started_at", "source", "ok", "records", "error"]


@admin.register(BudgetAlert)
class BudgetAlertAdmin(ReadOnly):
    list_display = ["team", "month", "threshold", "basis", "amount", "budget", "created_at"]


@admin.register(SpendAnomaly)
class SpendAnomalyAdmin(ReadOnly):
    list_display = ["environment", "day", "amount", "baseline"]
