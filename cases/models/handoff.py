"""Handoffs: work another department does for a case while the owner keeps it."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models.case import Case


class HandoffStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


OPEN_HANDOFF_STATUSES = (HandoffStatus.REQUESTED, HandoffStatus.ACCEPTED)

HANDOFF_TRANSITIONS: dict[str, frozenset[str]] = {
    HandoffStatus.REQUESTED: frozenset(
        {
            HandoffStatus.ACCEPTED,
            HandoffStatus.DONE,
            HandoffStatus.DECLINED,
            HandoffStatus.CANCELLED,
        }
    ),
    HandoffStatus.ACCEPTED: frozenset(
        {HandoffStatus.DONE, HandoffStatus.DECLINED, HandoffStatus.CANCELLED}
    ),
    HandoffStatus.DONE: frozenset(),
    HandoffStatus.DECLINED: frozenset(),
    HandoffStatus.CANCELLED: frozenset(),
}


class HandoffQuerySet(models.QuerySet):
    def open(self) -> "HandoffQuerySet":
        return self.filter(status__in=OPEN_HANDOFF_STATUSES)

    def told_to_customer(self) -> "HandoffQuerySet":
        """What the customer may hear of a case's handoffs: the open and the completed
        ones, in the customer-safe words given for them (declined and cancelled are
        staff business)."""
        return self.filter(status__in=(*OPEN_HANDOFF_STATUSES, HandoffStatus.DONE)).exclude(
            customer_summary=""
        )

    def visible_to(self, user) -> "HandoffQuerySet":
        """Handoffs are staff work: agents see them all, customers only their summaries
        (through `customer_summary`, read by the portal from cases they may see)."""
        return self.filter(case__in=Case.objects.visible_to(user))


class Handoff(models.Model):
    """A piece of work another department does for a case; the owner keeps the case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handoffs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_requested"
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="handoffs"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handoffs_assigned",
    )
    needed = models.TextField(help_text="What the department is asked to do (internal).")
    customer_summary = models.CharField(
        max_length=200,
        blank=True,
        help_text="Customer-safe words for where the case is, e.g. 'replacement battery ordered'.",
    )
    due = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=HandoffStatus.choices, default=HandoffStatus.REQUESTED
    )
    result = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="handoff_status_valid", condition=Q(status__in=HandoffStatus.values)
            ),
            models.CheckConstraint(
                name="handoff_decline_has_reason",
                condition=~Q(status=HandoffStatus.DECLINED) | ~Q(decline_reason=""),
                violation_error_message="A declined handoff says why.",
            ),
        ]
        indexes: ClassVar = [
            # A department's queue: its open handoffs, oldest first.
            models.Index(
                fields=["department", "created"],
                name="handoff_open_queue_idx",
                condition=Q(status__in=["requested", "accepted"]),
            ),
            models.Index(fields=["case", "status"], name="handoff_case_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department} for {self.case.reference}"

    @property
    def customer_line(self) -> str:
        """The handoff in the customer's words, for the portal and our emails."""
        team = f"our {self.department.name} team"
        if self.status == HandoffStatus.DONE:
            return f"Done by {team}: {self.customer_summary}"
        return f"With {team}: {self.customer_summary}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HANDOFF_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in HANDOFF_TRANSITIONS.get(self.status, frozenset())
