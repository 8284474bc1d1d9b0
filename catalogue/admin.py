from django.contrib import admin

from catalogue.models import Pattern, PatternVersion


class PatternVersionInline(admin.TabularInline):
    model = PatternVersion
    fields = ["version", "status", "checksum", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    """Patterns come from files in Git (`sync_catalogue`); here they can only be hidden."""

    list_display = ["name", "slug", "category", "data_classification", "is_active"]
    list_filter = ["category", "data_classification", "is_active"]
    readonly_fields = ["slug", "name", "summary", "description", "category", "data_classification"]
    inlines = [PatternVersionInline]

    def has_add_permission(self, request):
        return False
