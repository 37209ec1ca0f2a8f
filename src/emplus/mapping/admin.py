"""Django admin for activities: staff edit the activities of organisations they coordinate."""

from django.contrib import admin

from emplus.mapping import services
from emplus.mapping.models import Activity
from emplus.organisations.admin import OwnedByOrganisationAdmin


@admin.register(Activity)
class ActivityAdmin(OwnedByOrganisationAdmin):
    list_display = ["title", "code", "organisation", "arena", "delivery_mode", "start_date"]
    list_filter = ["arena", "delivery_mode", "organisation"]
    search_fields = ["title", "code", "description"]
    autocomplete_fields = ["organisation", "unit", "municipalities"]
    filter_horizontal = ["methods", "thematic_areas"]
    list_select_related = ["organisation"]

    def service_save(self, request, obj, fields, save_related):
        services.activity_save(
            actor=request.user, activity=obj, fields=fields, save_related=save_related
        )

    def service_delete(self, request, obj):
        services.activity_delete(actor=request.user, activity=obj)
