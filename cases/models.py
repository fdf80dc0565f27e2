"""The case domain: cases, their customer identifiers, the append-only timeline, attachments.

Invariants live in the database (constraints here, triggers in migrations): a case that is
not `new` has an owner; an open case's owner is an active agent; timeline entries are never
updated or deleted. State changes happen only in `cases.services`.
"""

import re
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Priority(models.IntegerChoices):
    LOW = 10, "Low"
    NORMAL = 20, "Normal"
    HIGH = 30, "High"
    URGENT = 40, "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    PENDING_CONFIRMATION = "pending_confirmation", "Pending confirmation"
    CLOSED = "closed", "Closed"


# How the portal says each status to a customer.
PLAIN_STATUS: dict[str, str] = {
    Status.NEW: "Received: we're finding the right person",
    Status.OPEN: "We're working on it",
    Status.WAITING_ON_CUSTOMER: "Waiting for your reply",
    Status.PENDING_CONFIRMATION: "We think it's fixed — please confirm",
    Status.CLOSED: "Closed",
}

# The one place that decides which status changes are allowed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN}),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION, Status.CLOSED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.PENDING_CONFIRMATION, Status.CLOSED}
    ),
    Status.PENDING_CONFIRMATION: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

REFERENCE_RE = re.compile(r"^\s*(?:C-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


def parse_reference(reference: str) -> int | None:
    """`C-000123`, `c-123` or `123` → 123; anything else → None."""
    match = REFERENCE_RE.match(reference or "")
    return int(match.group(1)) if match else None


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Every read that depends on who asks goes through here.

        Agents (and managers) see every case; a customer sees their organisation's cases;
        anyone else sees nothing.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_agent:
            return self.all()
        if user.is_customer and user.organization_id:
            cases = self.filter(organization_id=user.organization_id)
            if user.organization.customers_see_own_cases_only:
                cases = cases.filter(customer=user)
            return cases
        return self.none()

    def by_reference(self, reference: str) -> "CaseQuerySet":
        number = parse_reference(reference)
        return self.filter(pk=number) if number is not None else self.none()

    def active(self) -> "CaseQuerySet":
        return self.exclude(status=Status.CLOSED)


class Case(models.Model):
    """A customer's problem, with exactly one accountable owner once triaged."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_reported"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_owned",
    )
    owning_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    first_owned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks, recomputed by the services on the events that move them.
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_public_update = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Clocks stopped (waiting on the customer)."
    )
    paused_credit = models.DurationField(
        default=timedelta(0), help_text="Business time credited back for pauses."
    )
    eta = models.DateTimeField(null=True, blank=True, help_text="What we promised the customer.")
    # The next instant the SLA sweep must look at this case; NULL when no clock runs.
    next_sla_check = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="case_owner_required_once_triaged",
                condition=Q(status=Status.NEW) | Q(owner__isnull=False),
                violation_error_message="A case that is not new must have an owner.",
            ),
            models.CheckConstraint(
                name="case_status_valid",
                condition=Q(status__in=Status.values),
            ),
            models.CheckConstraint(
                name="case_priority_valid",
                condition=Q(priority__in=Priority.values),
            ),
        ]
        indexes: ClassVar = [
            # My cases: the owner's active cases by urgency.
            models.Index(
                fields=["owner", "-priority", "created"],
                name="case_owner_active_idx",
                condition=~Q(status=Status.CLOSED),
            ),
            # The triage queue: unowned new cases, oldest first.
            models.Index(
                fields=["created"], name="case_triage_idx", condition=Q(status=Status.NEW)
            ),
            models.Index(fields=["organization", "-updated"], name="case_org_updated_idx"),
            # The SLA sweep reads only cases whose next check has come: never a full scan.
            models.Index(
                fields=["next_sla_check"],
                name="case_sla_check_idx",
                condition=Q(next_sla_check__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-?"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())


class CustomerIdentifier(models.Model):
    """A reference the customer gives once (customer no., serial, order ID…)."""

    SUGGESTED_NAMES: ClassVar = [
        "Customer number",
        "Serial number",
        "Order ID",
        "Previous problem ID",
        "Contract number",
        "Address",
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifiers")
    name = models.CharField(max_length=60)
    value = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "name", "value"], name="identifier_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["value"], name="identifier_value_idx")]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


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
    REOPEN = "reopen", "Reopened"
    ATTACHMENT = "attachment", "Attachment"


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
        indexes: ClassVar = [models.Index(fields=["case", "id"], name="entry_case_id_idx")]

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
    def is_open(self) -> bool:
        return self.status in OPEN_HANDOFF_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in HANDOFF_TRANSITIONS.get(self.status, frozenset())


# --- SLA ---------------------------------------------------------------------------------


def _validate_time_zone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.core.exceptions import ValidationError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone name like Europe/Paris.") from None


class BusinessCalendar(models.Model):
    """When the SLA clock runs: a time zone, weekly working hours and holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[_validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def spec(self):
        """The calendar as a pure value for `cases.sla`."""
        from zoneinfo import ZoneInfo

        from cases.sla import CalendarSpec

        weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for hours in self.hours.all():
            start = hours.start.hour * 60 + hours.start.minute
            end = hours.end.hour * 60 + hours.end.minute or 24 * 60
            weekly[hours.weekday].append((start, end))
        return CalendarSpec(
            tz=ZoneInfo(self.time_zone),
            weekly=tuple(tuple(sorted(day)) for day in weekly),
            holidays=frozenset(h.date for h in self.holidays.all()),
        )


class BusinessHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "business hours"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="business_hours_order",
                condition=Q(end__gt=F("start")) | Q(end="00:00"),
                violation_error_message="Working hours end after they start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SLAPolicy(models.Model):
    """Targets for a priority and organisation tier (an empty tier matches any tier)."""

    name = models.CharField(max_length=100)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    tier = models.CharField(
        max_length=20,
        blank=True,
        help_text="Organisation tier this policy applies to; empty for every tier.",
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    first_response = models.DurationField(help_text="Business time to the first public reply.")
    update_interval = models.DurationField(
        help_text="The customer hears from us at least this often while we work."
    )
    resolution = models.DurationField(help_text="Business time to a proposed resolution.")
    warn_owner_lead = models.DurationField(default=timedelta(hours=4))
    notify_customer_lead = models.DurationField(default=timedelta(hours=1))
    update_grace = models.DurationField(
        default=timedelta(minutes=30),
        help_text="After a missed update, how long before the customer gets a status update.",
    )

    class Meta:
        ordering = ["-priority", "tier"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["priority", "tier"], name="sla_policy_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def targets(self):
        from cases.sla import Targets

        return Targets(
            first_response=self.first_response,
            update_interval=self.update_interval,
            resolution=self.resolution,
            warn_owner_lead=self.warn_owner_lead,
            notify_customer_lead=self.notify_customer_lead,
            update_grace=self.update_grace,
        )


class SLATarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_UPDATE = "next_update", "Next update"
    RESOLUTION = "resolution", "Resolution"
    CONFIRMATION = "confirmation", "Customer confirmation"


class SLAStep(models.TextChoices):
    OWNER_WARNED = "owner_warned", "Owner warned"
    CUSTOMER_NOTIFIED = "customer_notified", "Customer notified"
    BREACHED = "breached", "Breached"
    # A case pending confirmation: one reminder, then closed without an answer.
    REMINDED = "reminded", "Customer reminded"
    AUTO_CLOSED = "auto_closed", "Closed without an answer"


class SLAEvent(models.Model):
    """One sweep step done for one due time: the constraint makes every step happen once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_events")
    target = models.CharField(max_length=20, choices=SLATarget.choices)
    due = models.DateTimeField()
    step = models.CharField(max_length=20, choices=SLAStep.choices)
    by_owner = models.BooleanField(default=False, help_text="The owner told the customer.")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case", "target", "due", "step"], name="sla_event_once"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["step", "created"], name="sla_event_step_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target} {self.step}"


# Which priorities a customer may choose, by their organisation's tier.
PRIORITIES_BY_TIER: dict[str, tuple[int, ...]] = {
    "basic": (Priority.LOW, Priority.NORMAL),
    "standard": (Priority.LOW, Priority.NORMAL, Priority.HIGH),
    "premium": (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT),
}


class Satisfaction(models.Model):
    """The customer's one rating of a closed case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="satisfaction_rating_1_to_5", condition=Q(rating__gte=1, rating__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.case_id}"
