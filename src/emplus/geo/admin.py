"""Django admin for reference geography (read-mostly: the loader owns the values)."""

from django.contrib import admin

from emplus.geo.models import County, Municipality


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "letter", "population_2024"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county", "population_2024", "skr_group_2023"]
    list_filter = ["county", "skr_group_2023"]
    search_fields = ["name", "code"]
