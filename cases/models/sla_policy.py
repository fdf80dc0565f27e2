"""SLA policies, business calendars and the sweep's once-only steps."""

from datetime import timedelta
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models.case import Case, Priority
from helpdesk.accounts.models import validate_time_zone


class BusinessCalendar(models.Model):
    """When the SLA clock runs: a time zone, weekly working hours and holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

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
        indexes: ClassVar = [models.Index(fields=["step", "due"], name="sla_event_step_due_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target} {self.step}"


class Promise(models.Model):
    """An estimate given to a customer. Kept when the fix was proposed by then."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="promises")
    made_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="promises_made"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    eta = models.DateTimeField()
    created = models.DateTimeField(default=timezone.now)
    # Filled when the case is next proposed as resolved (or closed), or the promise is
    # replaced by a new one: whichever comes first settles it.
    settled_at = models.DateTimeField(null=True, blank=True)
    kept = models.BooleanField(null=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["created"], name="promise_created_idx"),
            models.Index(
                fields=["case"], name="promise_open_idx", condition=Q(settled_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} by {self.eta:%Y-%m-%d %H:%M}"
