"""Django admin for the methods library and the thematic areas."""

from django.contrib import admin

from emplus.methods import services
from emplus.methods.models import Method, MethodVersion, ThematicArea
from emplus.organisations.admin import OwnedByOrganisationAdmin


class MethodVersionInline(admin.TabularInline):
    model = MethodVersion
    extra = 0


@admin.register(Method)
class MethodAdmin(OwnedByOrganisationAdmin):
    change_permission = "method.change"
    owner_field = "owners"
    list_display = ["name", "code", "evidence_level"]
    list_filter = ["evidence_level", "thematic_areas"]
    search_fields = ["name", "code", "purpose"]
    filter_horizontal = ["thematic_areas", "owners"]
    inlines = [MethodVersionInline]

    def service_save(self, request, obj, fields, save_related):
        services.method_save(
            actor=request.user, method=obj, fields=fields, save_related=save_related
        )

    def service_delete(self, request, obj):
        services.method_delete(actor=request.user, method=obj)


@admin.register(ThematicArea)
class ThematicAreaAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name_sv", "name_en"]
    list_display_links = ["code"]
    search_fields = ["name_sv", "name_en", "code"]
