"""Admins see every token (never a secret) and manage webhooks with their delivery log."""

from django.contrib import admin

from helpdesk.api.models import ApiToken, WebhookDelivery, WebhookSubscription


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "expires", "last_used", "revoked")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = ("user", "name", "prefix", "scope", "created", "expires", "last_used")
    exclude = ("digest",)

    def has_add_permission(self, request):
        return False  # each person creates their own, and sees the secret once


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("event", "event_id", "status", "attempts", "response_status", "error", "created")
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ("-created",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "owner", "paused_at", "failures")
    readonly_fields = ("failures", "paused_at", "pause_reason")
    inlines = [DeliveryInline]
