"""Django admin for the partnership directory (partnership administrators only)."""

from django.contrib import admin

from emplus.organisations.models import Membership, Organisation, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sector", "kind", "is_partner", "municipality"]
    list_filter = ["is_partner", "sector", "kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["municipality"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "municipality"]
    list_filter = ["organisation", "kind", "municipality__county"]
    search_fields = ["name", "organisation__name", "municipality__name"]
    autocomplete_fields = ["municipality", "organisation"]
    list_select_related = ["organisation", "municipality"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "unit"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "organisation", "unit"]
    list_select_related = ["user", "organisation", "unit"]
