"""Django admin for users, hardened against escalation (decision 0013): nobody sets another
user's password here (only a reset link the user completes with their second factor); only
superusers see or set is_superuser, is_staff, groups and permissions; roles are shown read-only
and given through role grants that a second administrator approves."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from emplus.accounts import selectors, services
from emplus.accounts.models import User
from emplus.organisations.models import Membership

# Tokens are created by their owners only, after the second factor (accounts/tokens/).
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class MembershipInline(admin.TabularInline):
    """Read-only: roles are given through role grants and removed under Memberships."""

    model = Membership
    extra = 0
    fields = ["organisation", "role", "unit"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserCreateForm(forms.ModelForm):
    """A new user gets no password from the administrator: they choose it from a reset link."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class SecondFactorFilter(admin.SimpleListFilter):
    """The users the start page counts as lacking a second factor (accounts.selectors)."""

    title = _("second factor")
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing (role needs one)"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(pk__in=selectors.users_without_second_factor().values("pk"))
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = [SecondFactorFilter, "is_active", "is_staff"]
    add_form = UserCreateForm
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),)
    actions = ["send_password_reset"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ["username"]}),
            (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append(
                (
                    _("Superuser settings"),
                    {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if obj is not None and not request.user.is_superuser:
            # The address a reset link goes to: changing it would let an administrator take
            # over the account through "send password reset".
            readonly.append("email")
        return readonly

    def _touches_superuser(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._touches_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._touches_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Not even superusers set another person's password in the web interface.
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.account_create(
                actor=request.user,
                username=obj.username,
                first_name=obj.first_name,
                last_name=obj.last_name,
                email=obj.email,
            )
            obj.pk, obj._state = created.pk, created._state
            return
        services.account_change(actor=request.user, user=obj, changed=form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and {"groups", "user_permissions"} & set(form.changed_data):
            services.account_change(
                actor=request.user, user=form.instance, changed=[], groups_or_permissions=True
            )

    def delete_model(self, request, obj):
        services.account_delete(actor=request.user, user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            if self._touches_superuser(request, user):
                raise PermissionDenied
            services.account_delete(actor=request.user, user=user)

    @admin.action(description=_("Send a password-reset link"), permissions=["change"])
    def send_password_reset(self, request, queryset):
        site_url = request.build_absolute_uri("/")
        sent = 0
        for user in queryset:
            if self._touches_superuser(request, user):
                continue
            sent += services.password_reset_send(actor=request.user, user=user, site_url=site_url)
        self.message_user(
            request,
            ngettext(
                "A password-reset link was sent to %(n)d user.",
                "A password-reset link was sent to %(n)d users.",
                sent,
            )
            % {"n": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )
