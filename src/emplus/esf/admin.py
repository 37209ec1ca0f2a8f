"""Django admin: ESF projects are listed read-only (they change through the project pages,
whose services audit every change; files and rows are never shown here)."""

from django.contrib import admin

from emplus.esf.models import ESFProject


@admin.register(ESFProject)
class ESFProjectAdmin(admin.ModelAdmin):
    list_display = [
        "case_number",
        "title",
        "organisation",
        "programme_area",
        "start_date",
        "end_date",
    ]
    list_filter = ["programme_area", "organisation"]
    search_fields = ["case_number", "title"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
