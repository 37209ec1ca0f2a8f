"""Django admin for users; roles are memberships, edited inline."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from emplus.accounts.models import User
from emplus.organisations.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
