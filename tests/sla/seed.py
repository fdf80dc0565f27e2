"""SLA calendars and policies for the tests, with round numbers that make due times easy
to read. Used by the `policies` fixture of tests/conftest.py and by tests that need them
at a moment of their own."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from cases.models import BusinessCalendar, BusinessHours, Holiday, Priority, SLAPolicy

HOUR = timedelta(hours=1)
# A Monday morning in winter: London is on GMT, so its local time equals UTC.
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class Policies:
    always: BusinessCalendar
    office: BusinessCalendar
    normal: SLAPolicy
    high: SLAPolicy
    low: SLAPolicy


def create_policies() -> Policies:
    """Normal and high run on a 24x7 UTC calendar (business time is wall time); low runs
    on London office hours, Monday to Friday 09:00-17:00, with a bank holiday."""
    always = BusinessCalendar.objects.create(name="24x7", time_zone="UTC")
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=always, weekday=day, start=time(0), end=time(0)) for day in range(7)
    )
    office = BusinessCalendar.objects.create(name="Office hours", time_zone="Europe/London")
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=office, weekday=day, start=time(9), end=time(17)) for day in range(5)
    )
    Holiday.objects.create(calendar=office, date=datetime(2025, 5, 5).date(), name="May Day")
    normal = SLAPolicy.objects.create(
        name="Normal",
        priority=Priority.NORMAL,
        calendar=always,
        first_response=4 * HOUR,
        update_interval=24 * HOUR,
        resolution=12 * HOUR,
        warn_owner_lead=2 * HOUR,
        notify_customer_lead=1 * HOUR,
        update_grace=HOUR / 2,
    )
    high = SLAPolicy.objects.create(
        name="High",
        priority=Priority.HIGH,
        calendar=always,
        first_response=1 * HOUR,
        update_interval=2 * HOUR,
        resolution=24 * HOUR,
        warn_owner_lead=HOUR / 2,
        notify_customer_lead=HOUR / 4,
        update_grace=HOUR / 2,
    )
    low = SLAPolicy.objects.create(
        name="Low",
        priority=Priority.LOW,
        calendar=office,
        first_response=8 * HOUR,
        update_interval=16 * HOUR,
        resolution=40 * HOUR,
        warn_owner_lead=4 * HOUR,
        notify_customer_lead=1 * HOUR,
        update_grace=HOUR / 2,
    )
    return Policies(always=always, office=office, normal=normal, high=high, low=low)
