"""Incidents: a known problem behind several customers' cases, told to all of them at once."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IncidentQuerySet":
        """Agents see every incident; a customer only those affecting their organisation."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_agent:
            return self.all()
        if user.is_customer and user.organization_id:
            return self.filter(
                Q(affects_all_organizations=True) | Q(organizations=user.organization_id)
            ).distinct()
        return self.none()

    def open(self) -> "IncidentQuerySet":
        return self.exclude(status=IncidentStatus.RESOLVED)


class Incident(models.Model):
    title = models.CharField(max_length=200)
    public_summary = models.TextField(
        blank=True, help_text="What affected customers read on the portal."
    )
    internal_notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    cause = models.CharField(
        max_length=200, blank=True, help_text="e.g. the release or change that caused it."
    )
    cause_date = models.DateField(null=True, blank=True)
    affects_all_organizations = models.BooleanField(default=False)
    organizations = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="incidents"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_created"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="incident_status_valid", condition=Q(status__in=IncidentStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.RESOLVED


class IncidentUpdate(models.Model):
    """One update on an incident; public ones reach every linked case and customer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    visibility = models.CharField(
        max_length=10, choices=[("public", "Public"), ("internal", "Internal")]
    )
    body = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, blank=True, help_text="Status set by it."
    )
    created = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When every linked case had received it."
    )

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"Update on {self.incident_id} ({self.visibility})"
