"""Django admin for the partnership directory (partnership administrators only). Roles are
given through role grants approved by a second administrator (decision 0013)."""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from emplus.organisations import services
from emplus.organisations.choices import GrantStatus
from emplus.organisations.models import Membership, Organisation, RoleGrant, Unit
from emplus.organisations.permissions import can_change_owned, editable_organisation_ids


class CountsOnDeletePage:
    """The delete confirmation of directory rows names the rows it would delete or that stop
    it only as counts per kind: administering the partnership opens no organisation's records,
    and a participant's reference is personal data (decision 21)."""

    def get_deleted_objects(self, objs, request):
        # As django.contrib.admin.utils.get_deleted_objects, without naming a single row.
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        perms_needed = set()
        for model in collector.model_objs:
            opts = model._meta
            codename = get_permission_codename("delete", opts)
            if self.admin_site.is_registered(model) and not request.user.has_perm(
                f"{opts.app_label}.{codename}"
            ):
                perms_needed.add(opts.verbose_name)
        model_count = {
            model._meta.verbose_name_plural: len(rows)
            for model, rows in collector.model_objs.items()
        }
        protected = Counter(type(obj)._meta.verbose_name_plural for obj in collector.protected)
        return (
            [f"{capfirst(name)}: {count}" for name, count in model_count.items()],
            model_count,
            perms_needed,
            [f"{capfirst(name)}: {count}" for name, count in protected.items()],
        )


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Organisation)
class OrganisationAdmin(CountsOnDeletePage, admin.ModelAdmin):
    list_display = ["name", "code", "sector", "kind", "is_partner", "municipality"]
    list_filter = ["is_partner", "sector", "kind"]
    search_fields = ["name", "name_en", "code"]
    autocomplete_fields = ["municipality"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(CountsOnDeletePage, admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "municipality"]
    list_filter = ["organisation", "kind", "municipality__county"]
    search_fields = ["name", "organisation__name", "municipality__name"]
    autocomplete_fields = ["municipality", "organisation"]
    list_select_related = ["organisation", "municipality"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only, except removal: a new or changed role is a role grant."""

    list_display = ["user", "organisation", "role", "unit"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "organisation", "unit"]
    readonly_fields = ["user", "organisation", "role", "unit"]

    def has_add_permission(self, request):
        return False

    def _may_change(self, request, obj) -> bool:
        return can_change_owned(request.user, self._owners(obj), self.change_permission)

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            services.membership_revoke(membership=membership, actor=request.user)


class RoleGrantForm(forms.ModelForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "organisation", "role", "unit", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("user") and data.get("organisation") and data.get("role"):
            # The rules of the membership it would become, shown on the form.
            Membership(
                user=data["user"],
                organisation=data["organisation"],
                role=data["role"],
                unit=data.get("unit"),
            ).clean()
        return data


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Request a role for someone; a different administrator approves or rejects it."""

    list_display = ["user", "role", "organisation", "unit", "status", "requested_by", "created_at"]
    list_filter = ["status", "role", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "organisation", "unit", "requested_by"]
    autocomplete_fields = ["user", "organisation", "unit"]
    fields = ["user", "organisation", "role", "unit", "reason"]
    form = RoleGrantForm
    actions = ["approve", "reject"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.fields, "status", "requested_by", "decided_by", "decided_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "status", "requested_by", "decided_by", "decided_at"]

    def _may_change(self, request, obj) -> bool:
        return can_change_owned(request.user, self._owners(obj), self.change_permission)

    def has_change_permission(self, request, obj=None):
        return False  # decided through the actions, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who asked and who approved stays

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        grant = services.role_grant_request(
            actor=request.user,
            user=obj.user,
            organisation=obj.organisation,
            role=obj.role,
            unit=obj.unit,
            reason=obj.reason,
        )
        obj.pk, obj._state = grant.pk, grant._state

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for grant in queryset.filter(status=GrantStatus.PENDING):
            try:
                decide(actor=request.user, grant=grant)
            except ValidationError as exc:
                self.message_user(request, f"{grant}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected requests (as the second administrator)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, services.role_grant_approve, _("%(n)d approved."))

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request, queryset):
        self._decide(request, queryset, services.role_grant_reject, _("%(n)d rejected."))


# The base of the admin pages of directory data owned by organisations (activities, methods,
# test beds): each app registers its own model with it.
class OwnedByOrganisationAdmin(admin.ModelAdmin):
    """Lists and changes only rows owned by organisations the user coordinates or administers."""

    owner_field = "organisation"
    change_permission = "activity.change"  # the app's change permission (emplus.core.roles)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        allowed = editable_organisation_ids(request.user, self.change_permission)
        if allowed is None:
            return qs
        return qs.filter(**{f"{self.owner_field}__in": allowed}).distinct()

    def _owners(self, obj) -> list:
        value = getattr(obj, self.owner_field)
        if hasattr(value, "all"):
            return [o.pk for o in value.all()]
        return [value.pk] if value is not None else []

    def _may_change(self, request, obj) -> bool:
        return can_change_owned(request.user, self._owners(obj), self.change_permission)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._may_change(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._may_change(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    # Every change is a write of the app's service, audited in the admin's transaction: the
    # object is stored together with its related rows (many-to-many fields and inlines).

    def service_save(self, request, obj, fields: list[str], save_related) -> None:
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        pass  # stored by save_related, through the service, with the related rows

    def save_related(self, request, form, formsets, change):
        fields = [*form.changed_data, *(f.prefix for f in formsets if f.has_changed())]
        parent = super()

        def related() -> None:
            parent.save_related(request, form, formsets, change)

        self.service_save(request, form.instance, fields, related)

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)
