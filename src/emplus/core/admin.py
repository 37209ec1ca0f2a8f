"""Django admin for core: the audit log, read-only, for holders of core.view_auditevent."""

from django.contrib import admin

from emplus.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "lane",
        "sequence",
        "occurred_at",
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "organisation_id",
        "purpose",
    ]
    list_filter = ["action", "organisation_id", "occurred_at"]
    search_fields = ["actor_username", "target_id"]
    ordering = ["-occurred_at", "-lane", "-sequence"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    actions = None
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        # Only the view permission: holding change_auditevent must not open the log.
        return request.user.is_active and request.user.has_perm("core.view_auditevent")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
