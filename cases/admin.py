"""Admin: cases are read here, never edited (every change goes through cases.services)."""

from django.contrib import admin, messages
from django.db import transaction

from cases import services
from cases.models import (
    Attachment,
    BusinessCalendar,
    BusinessHours,
    Case,
    CustomerIdentifier,
    Handoff,
    Holiday,
    IntakeRule,
    SLAPolicy,
    TimelineEntry,
    WorkingHours,
)
from helpdesk.accounts.admin import UserAdmin
from helpdesk.accounts.models import User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IdentifierInline(admin.TabularInline):
    model = CustomerIdentifier
    extra = 0
    fields = ["name", "value", "added_by", "created"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "priority", "owner", "organization", "created"]
    list_filter = ["status", "priority", "owning_department", "organization"]
    search_fields = ["title", "customer__email", "customer__full_name"]
    list_select_related = ["owner", "organization"]
    inlines = [IdentifierInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    """Append-only history: visible to admins, with no change or delete path."""

    list_display = ["case", "kind", "visibility", "actor", "department", "created"]
    list_filter = ["kind", "visibility"]
    list_select_related = ["case", "actor", "department"]
    search_fields = ["body"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "case", "content_type", "size", "created"]
    exclude = ["file"]  # downloads go through the authorized desk view only


admin.site.unregister(User)


@admin.register(User)
class CaseAwareUserAdmin(UserAdmin):
    """Deactivating an agent moves their open cases to a lead, so ownership never lapses."""

    actions = [*UserAdmin.actions, "deactivate_agents"]

    @admin.action(description="Deactivate, moving their open cases to their department's lead")
    def deactivate_agents(self, request, queryset):
        for agent in queryset.filter(is_active=True):
            self._deactivate(request, agent)

    def save_model(self, request, obj, form, change):
        deactivating = (
            change and "is_active" in form.changed_data and not obj.is_active and obj.is_agent
        )
        if not deactivating:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            obj.is_active = True
            super().save_model(request, obj, form, change)
            self._deactivate(request, obj)
        obj.is_active = False

    def _deactivate(self, request, agent: User) -> None:
        acting = request.user if request.user.is_agent else None
        try:
            moved = services.deactivate_agent(agent=agent, acting_user=acting)
        except services.CaseError as exc:
            self.message_user(request, f"{agent} stays active: {exc}", level=messages.ERROR)
            return
        self.message_user(
            request, f"{agent} deactivated; {len(moved)} open case(s) moved to a lead."
        )


@admin.register(IntakeRule)
class IntakeRuleAdmin(admin.ModelAdmin):
    """Which department a new case starts in: the first rule that matches, by order."""

    list_display = ["order", "__str__", "department"]
    list_editable = ["order"]
    list_display_links = ["__str__"]
    autocomplete_fields = ["organization"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    """When a department's agents, or one agent, take new cases (a business calendar)."""

    list_display = ["__str__", "department", "agent", "calendar"]
    autocomplete_fields = ["agent"]


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    inlines = [BusinessHoursInline, HolidayInline]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "priority",
        "tier",
        "calendar",
        "first_response",
        "update_interval",
        "resolution",
        "warn_owner_lead",
        "notify_customer_lead",
    ]
    list_filter = ["priority", "tier", "calendar"]


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ["case", "department", "status", "assignee", "due", "created"]
    list_filter = ["status", "department"]
    list_select_related = ["case", "department", "assignee"]
