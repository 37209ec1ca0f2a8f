"""Django admin for activities: staff edit the activities of organisations they coordinate."""

from django.contrib import admin

from emplus.mapping.models import Activity
from emplus.mapping.permissions import can_change_owned, editable_organisation_ids


class OwnedByOrganisationAdmin(admin.ModelAdmin):
    """Lists and changes only rows owned by organisations the user coordinates or administers."""

    owner_field = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        allowed = editable_organisation_ids(request.user)
        if allowed is None:
            return qs
        return qs.filter(**{f"{self.owner_field}__in": allowed}).distinct()

    def _owners(self, obj) -> list:
        value = getattr(obj, self.owner_field)
        if hasattr(value, "all"):
            return [o.pk for o in value.all()]
        return [value.pk] if value is not None else []

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_change_owned(request.user, self._owners(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_change_owned(request.user, self._owners(obj)):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Activity)
class ActivityAdmin(OwnedByOrganisationAdmin):
    list_display = ["title", "code", "organisation", "arena", "delivery_mode", "start_date"]
    list_filter = ["arena", "delivery_mode", "organisation"]
    search_fields = ["title", "code", "description"]
    autocomplete_fields = ["organisation", "unit", "municipalities"]
    filter_horizontal = ["methods", "thematic_areas"]
    list_select_related = ["organisation"]
