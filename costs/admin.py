from django.contrib import admin

from costs.models import CostRecord


@admin.register(CostRecord)
class CostRecordAdmin(admin.ModelAdmin):
    list_display = ["environment", "day", "kind", "amount", "currency"]
    list_filter = ["kind"]
