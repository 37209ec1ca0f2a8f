"""Django admin for regional test beds, their goals and learning logs."""

from django.contrib import admin

from emplus.organisations.admin import OwnedByOrganisationAdmin
from emplus.testbeds import services
from emplus.testbeds.models import LearningLogEntry, TestBed, TestBedGoal


class GoalInline(admin.TabularInline):
    model = TestBedGoal
    extra = 0


class LearningLogInline(admin.TabularInline):
    model = LearningLogEntry
    extra = 0


@admin.register(TestBed)
class TestBedAdmin(OwnedByOrganisationAdmin):
    change_permission = "testbed.change"
    owner_field = "lead_organisation"
    list_display = ["name", "code", "county", "lead_organisation", "start_date", "end_date"]
    list_filter = ["county"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["county", "lead_organisation", "municipalities"]
    filter_horizontal = ["partners", "methods", "thematic_areas"]
    inlines = [GoalInline, LearningLogInline]

    def service_save(self, request, obj, fields, save_related):
        services.test_bed_save(
            actor=request.user, test_bed=obj, fields=fields, save_related=save_related
        )

    def service_delete(self, request, obj):
        services.test_bed_delete(actor=request.user, test_bed=obj)
