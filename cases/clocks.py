"""A case's SLA clocks: which policy applies, its due times, and when the sweep looks next.

The arithmetic is in `cases.sla` (pure); this module reads the policy and writes the
case's clock fields. Services call `refresh_clocks` on every event that moves a clock.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases import sla
from cases.models import Case, SLAEvent, SLAPolicy, SLAStep, SLATarget, Status

log = logging.getLogger(__name__)

CLOCK_FIELDS = [
    "pending_since",
    "last_public_update",
    "quiet_updates",
    "first_response_due",
    "next_update_due",
    "resolution_due",
    "paused_at",
    "paused_credit",
    "next_sla_check",
]
RUNNING = (Status.NEW, Status.OPEN)
PAUSED = (Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION)


@dataclass
class Policy:
    """An SLA policy read once: its targets and its calendar as pure values."""

    targets: sla.Targets
    spec: sla.CalendarSpec


# Policies change rarely (an admin edit) and are read on every state change: each process
# keeps them for a minute. A save or delete in this process forgets them at once; other
# processes see the change within POLICY_CACHE_SECONDS.
POLICY_CACHE_SECONDS = 60
_policies: dict[tuple[int, str], Policy] | None = None
_loaded_at = 0.0


def forget_policies(**_signal) -> None:
    global _policies
    _policies = None


def _all_policies() -> dict[tuple[int, str], Policy]:
    global _policies, _loaded_at
    if _policies is None or time.monotonic() - _loaded_at > POLICY_CACHE_SECONDS:
        _policies = {
            (p.priority, p.tier): Policy(p.targets(), p.calendar.spec())
            for p in SLAPolicy.objects.select_related("calendar").prefetch_related(
                "calendar__hours", "calendar__holidays"
            )
        }
        _loaded_at = time.monotonic()
    return _policies


def policy_for(case: Case) -> Policy | None:
    """The organisation tier's policy for the case's priority, else the any-tier one."""
    tier = case.organization.sla_tier if case.organization_id else ""
    policies = _all_policies()
    return policies.get((case.priority, tier)) or policies.get((case.priority, ""))


@dataclass(frozen=True)
class Threshold:
    """One moment the sweep acts: `step` for `target`'s due time, from `at` on."""

    target: str
    step: str
    due: datetime
    at: datetime


def confirmation_thresholds(case: Case) -> list[Threshold]:
    """A case pending confirmation: one reminder, then closed if the customer stays silent."""
    if case.status != Status.PENDING_CONFIRMATION:
        return []
    since = case.pending_since or case.paused_at
    if since is None:
        return []
    remind = since + timedelta(days=settings.CONFIRMATION_REMINDER_DAYS)
    close = remind + timedelta(days=settings.CONFIRMATION_CLOSE_DAYS)
    return [
        Threshold(SLATarget.CONFIRMATION, SLAStep.REMINDED, since, remind),
        Threshold(SLATarget.CONFIRMATION, SLAStep.AUTO_CLOSED, since, close),
    ]


def thresholds(case: Case, targets: sla.Targets | None) -> list[Threshold]:
    """Every moment the sweep acts on this case, in time order."""
    if case.status == Status.PENDING_CONFIRMATION:
        return confirmation_thresholds(case)
    if case.status not in RUNNING or targets is None:
        return []
    found = []
    for target, due in (
        (SLATarget.FIRST_RESPONSE, case.first_response_due),
        (SLATarget.RESOLUTION, case.resolution_due),
    ):
        if due is None:
            continue
        found += [
            Threshold(target, SLAStep.OWNER_WARNED, due, due - targets.warn_owner_lead),
            Threshold(target, SLAStep.CUSTOMER_NOTIFIED, due, due - targets.notify_customer_lead),
            Threshold(target, SLAStep.BREACHED, due, due),
        ]
    if case.next_update_due is not None:
        due = case.next_update_due
        # The update clock reminds the owner when it passes, then tells the customer, in
        # the customer's working hours (never a status email at night).
        tells = sla.next_customer_hour(due + targets.update_grace, customer_zone(case))
        found += [
            Threshold(SLATarget.NEXT_UPDATE, SLAStep.OWNER_WARNED, due, due),
            Threshold(SLATarget.NEXT_UPDATE, SLAStep.BREACHED, due, due),
            Threshold(SLATarget.NEXT_UPDATE, SLAStep.CUSTOMER_NOTIFIED, due, tells),
        ]
    return sorted(found, key=lambda t: t.at)


def customer_zone(case: Case) -> ZoneInfo:
    """The customer's time zone: their organisation's."""
    try:
        return ZoneInfo(case.organization.time_zone)
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        return ZoneInfo(settings.TIME_ZONE)


def refresh_clocks(case: Case, *, now: datetime | None = None) -> list[str]:
    """Recompute due times from the case's state; returns the fields to save.

    Running (new/open): due times from the policy, the pause credit and our last public
    word; the sweep looks next at the earliest threshold. Paused (waiting on customer,
    pending confirmation) or closed: clocks stop and the pause start is remembered, so the
    time is credited back when work resumes.
    """
    now = now or timezone.now()
    policy = policy_for(case)
    # Closed counts as paused too: a case reopened days later is credited that time back.
    if case.status in PAUSED or case.status == Status.CLOSED:
        if case.paused_at is None:
            case.paused_at = now
        upcoming = confirmation_thresholds(case)
        case.next_sla_check = upcoming[0].at if upcoming else None
        return CLOCK_FIELDS
    if policy is None:
        case.first_response_due = case.next_update_due = case.resolution_due = None
        case.paused_at = None
        case.next_sla_check = None
        return CLOCK_FIELDS
    spec = policy.spec
    if case.paused_at is not None:
        # Waiting on the customer is credited back, unless the resolution deadline had
        # already passed when the case paused: a missed deadline stays missed (and was
        # recorded, the customer told first) rather than moving to a past time that the
        # customer could not have been warned about.
        missed = case.resolution_due is not None and case.resolution_due <= case.paused_at
        if not missed:
            case.paused_credit += sla.business_time_between(spec, case.paused_at, now)
        case.paused_at = None
        if case.last_public_update is not None:
            # Back to work after a pause: the update clock counts a full interval from now.
            case.last_public_update = max(case.last_public_update, now)
    try:
        clocks = sla.compute_clocks(
            spec,
            policy.targets,
            opened=case.created,
            paused_credit=case.paused_credit,
            first_responded=case.first_responded_at is not None,
            last_public_update=case.last_public_update,
            quiet_updates=case.quiet_updates,
        )
    except ValueError:
        # A calendar without working time: the case carries on without clocks rather
        # than refusing every action on it; the admin must fix the calendar.
        log.exception("SLA calendar of case %s has no working time", case.pk)
        case.first_response_due = case.next_update_due = case.resolution_due = None
        case.next_sla_check = None
        return CLOCK_FIELDS
    case.first_response_due = clocks.first_response_due
    case.next_update_due = clocks.next_update_due
    case.resolution_due = clocks.resolution_due
    upcoming = thresholds(case, policy.targets)
    case.next_sla_check = upcoming[0].at if upcoming else None
    return CLOCK_FIELDS


def next_contact(case: Case, now: datetime | None = None) -> datetime | None:
    """When the customer hears from us next: the one rule for portal and email.

    None while we wait on the customer (or they on a confirmation) and once closed: a
    paused clock promises nothing. Otherwise the earliest still ahead of the promised fix
    (ETA) and the update we owe (the next update, or the first response before any). Never
    a time already past: when both have passed, one update interval (business time) from
    now, the time we hold ourselves to from here.
    """
    if case.status not in RUNNING:
        return None
    now = now or timezone.now()
    owed = case.next_update_due or case.first_response_due
    ahead = [t for t in (case.eta, owed) if t is not None and t > now]
    if ahead:
        return min(ahead)
    policy = policy_for(case)
    if policy is None:
        return None
    try:
        return sla.add_business_time(policy.spec, now, policy.targets.update_interval)
    except ValueError:  # a calendar without working time promises nothing
        return None


def nearest_due(case: Case) -> datetime | None:
    dues = [d for d in (case.first_response_due, case.next_update_due, case.resolution_due) if d]
    return min(dues) if dues else None


def time_to_breach(case: Case, now: datetime | None = None) -> timedelta | None:
    due = nearest_due(case)
    return None if due is None else due - (now or timezone.now())


def claim_step(case: Case, target: str, due: datetime, step: str, *, by_owner=False) -> bool:
    """Claim one SLA step for one due time; False when it was done before.

    The `sla_event_once` constraint makes each step happen once per due time, whichever
    sweep or owner gets there first. One statement, no savepoint: the sweep claims
    thousands of steps in a busy minute.
    """
    table = SLAEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (case_id, target, due, step, by_owner, created) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (case_id, target, due, step) DO NOTHING RETURNING id",
            # As the ORM stores them (SQLite keeps datetimes as text in its own format), so
            # that the ORM's lookups of these rows match.
            [
                case.pk,
                target,
                connection.ops.adapt_datetimefield_value(due),
                step,
                by_owner,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        return cursor.fetchone() is not None
