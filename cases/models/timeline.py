"""The append-only case timeline and the files on its entries.

Entries are history: never updated or deleted (a database trigger enforces it, and the
queryset refuses `update`). Customers see public entries only.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models.case import Case


class EntryKind(models.TextChoices):
    CASE_OPENED = "case_opened", "Case opened"
    CUSTOMER_MESSAGE = "customer_message", "Customer message"
    AGENT_REPLY = "agent_reply", "Reply to customer"
    INTERNAL_NOTE = "internal_note", "Internal note"
    STATUS_CHANGE = "status_change", "Status change"
    OWNERSHIP_CHANGE = "ownership_change", "Ownership change"
    PRIORITY_CHANGE = "priority_change", "Priority change"
    IDENTIFIERS_CHANGE = "identifiers_change", "Identifiers change"
    HANDOFF = "handoff", "Handoff"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    DELAY_NOTICE = "delay_notice", "Delay notice"
    ETA_CHANGE = "eta_change", "ETA change"
    INCIDENT_LINK = "incident_link", "Incident link"
    INCIDENT_UPDATE = "incident_update", "Incident update"
    CONFIRMATION = "confirmation", "Confirmation"
    CONFIRMATION_REMINDER = "confirmation_reminder", "Confirmation reminder"
    REOPEN = "reopen", "Reopened"
    ATTACHMENT = "attachment", "Attachment"
    CALL = "call", "Phone call"
    CHASE = "chase", "Customer asked for news"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"


class AppendOnlyError(Exception):
    """Timeline entries are history: they are never changed or removed."""


class TimelineEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TimelineEntryQuerySet":
        """Entries of cases the user may see; customers never see internal entries."""
        entries = self.filter(case__in=Case.objects.visible_to(user))
        if not (user.is_authenticated and user.is_agent):
            entries = entries.filter(visibility=Visibility.PUBLIC)
        return entries

    def update(self, **kwargs):
        raise AppendOnlyError("Timeline entries cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Timeline entries cannot be deleted.")


class TimelineEntry(models.Model):
    """One thing that happened on a case. Append-only; one table for every kind."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(max_length=30, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timeline_entries",
        help_text="Empty when the system acted.",
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField(blank=True, help_text="What the author wrote (Markdown).")
    body_html = models.TextField(blank=True, help_text="The body rendered and sanitized.")
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name_plural = "timeline entries"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="entry_visibility_valid", condition=Q(visibility__in=Visibility.values)
            ),
            # A note is internal by definition; it can never be shown to a customer.
            models.CheckConstraint(
                name="internal_note_is_internal",
                condition=~Q(kind=EntryKind.INTERNAL_NOTE) | Q(visibility=Visibility.INTERNAL),
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["case", "id"], name="entry_case_id_idx"),
            # Reports read one kind of event over a period.
            models.Index(fields=["kind", "created"], name="entry_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Timeline entries cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline entries cannot be deleted.")

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never contains the user's file name: it is only shown, never used.
    return f"attachments/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AttachmentQuerySet":
        return self.filter(entry__in=TimelineEntry.objects.visible_to(user))


class Attachment(models.Model):
    """A file on a timeline entry, stored outside any public root."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
