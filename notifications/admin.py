from django.contrib import admin

from notifications.models import Notice, WorkerHeartbeat


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The outbox, for looking into delivery; rows are written by the services only."""

    list_display = ["subject", "recipient", "channel", "kind", "status", "attempts", "created"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["subject", "recipient__email", "idempotency_key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen"]
