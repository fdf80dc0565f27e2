"""Business-time arithmetic for SLA clocks. Pure functions of their inputs: no ORM here.

A calendar is a time zone, working intervals per weekday (several a day allowed) and
holidays. Intervals are in local wall-clock time, so a 09:00-17:00 day stays 09:00-17:00
across DST changes; a 00:00-24:00 day lasts 23 or 25 hours when the clocks change.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# How far ahead to look for working time before deciding a calendar has none.
MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class CalendarSpec:
    """weekly[0] is Monday: a tuple of (start_minute, end_minute) with end up to 1440."""

    tz: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError("A calendar needs working intervals for 7 weekdays.")
        for day in self.weekly:
            for start, end in day:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise ValueError(f"Bad working interval {start}-{end} (minutes).")

    @property
    def has_working_time(self) -> bool:
        return any(self.weekly)


def always_open(tz: str = "UTC") -> CalendarSpec:
    return CalendarSpec(ZoneInfo(tz), tuple(((0, MINUTES_PER_DAY),) for _ in range(7)))


def office_hours(
    tz: str = "UTC", start: str = "09:00", end: str = "17:00", holidays=()
) -> CalendarSpec:
    """Monday to Friday, one interval a day."""
    interval = ((_minutes(start), _minutes(end)),)
    weekly = tuple(interval if weekday < 5 else () for weekday in range(7))
    return CalendarSpec(ZoneInfo(tz), weekly, frozenset(holidays))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _local_instant(spec: CalendarSpec, day: date, minute: int) -> datetime:
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=spec.tz)
    # A wall time skipped by DST (e.g. 02:30 on spring-forward day) maps to the instant the
    # clocks jumped to; normalise through UTC so ordering is by real time.
    instant = local.astimezone(UTC)
    if instant.astimezone(spec.tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        # zoneinfo reads a skipped time with the old offset, which lands *after* the jump and
        # would let an interval ending there overlap the next one: use the jump itself.
        instant = _jump(spec.tz, local.replace(fold=1).astimezone(UTC), instant)
    return instant


def _jump(tz: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The instant in (before, after] when the UTC offset changed to `after`'s."""
    offset = after.astimezone(tz).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(tz).utcoffset() == offset:
            after = middle
        else:
            before = middle
    return after.replace(microsecond=0)  # offsets change on whole seconds


def working_intervals(spec: CalendarSpec, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) that end after `start`, in time order, clipped to start."""
    if not spec.has_working_time:
        raise ValueError("The calendar has no working time.")
    start = start.astimezone(UTC)
    first_day = start.astimezone(spec.tz).date() - timedelta(days=1)
    for offset in range(MAX_SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        if day in spec.holidays:
            continue
        for begin_minute, end_minute in spec.weekly[day.weekday()]:
            begin = _local_instant(spec, day, begin_minute)
            end = _local_instant(spec, day, end_minute)
            if end <= start or end <= begin:
                continue
            yield max(begin, start), end
    raise ValueError("No working time within three years; check the calendar's holidays.")


def add_business_time(spec: CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """The instant when `duration` of working time has passed since `start`.

    A positive duration always ends inside working time (or exactly at an interval's end);
    zero returns `start` unchanged.
    """
    if duration < timedelta(0):
        raise ValueError("Business time cannot be negative.")
    if duration == timedelta(0):
        return start.astimezone(UTC)
    remaining = duration
    for begin, end in working_intervals(spec, start):
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: working_intervals raises first")


def business_time_between(spec: CalendarSpec, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end); zero when end is not after start."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    for begin, finish in working_intervals(spec, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


def is_working_time(spec: CalendarSpec, instant: datetime) -> bool:
    for begin, _end in working_intervals(spec, instant):
        return begin <= instant.astimezone(UTC)
    return False


@dataclass(frozen=True)
class Targets:
    """An SLA policy's targets in business time and its lead times in wall-clock time."""

    first_response: timedelta
    update_interval: timedelta
    resolution: timedelta
    warn_owner_lead: timedelta
    notify_customer_lead: timedelta
    update_grace: timedelta


@dataclass(frozen=True)
class Clocks:
    first_response_due: datetime | None
    next_update_due: datetime | None
    resolution_due: datetime | None


def working_day(spec: CalendarSpec) -> timedelta:
    """The calendar's average working day: 8 h for office hours, 24 h around the clock."""
    days = [sum(end - start for start, end in day) for day in spec.weekly if day]
    return timedelta(minutes=sum(days) / len(days)) if days else timedelta(hours=8)


def update_interval(spec: CalendarSpec, interval: timedelta, quiet_updates: int) -> timedelta:
    """The wait before the next automatic update: the policy's interval after a person's
    word, doubling with each automatic update that had nothing new to say (2 h, 4 h, 8 h…),
    up to a working day (never below the policy's own interval)."""
    backed_off = interval * (2 ** min(quiet_updates, 16))
    return max(interval, min(backed_off, working_day(spec)))


def next_customer_hour(instant: datetime, tz: ZoneInfo, *, start=8, end=18) -> datetime:
    """`instant`, or the start of the customer's next working hours (Monday to Friday,
    `start` to `end` o'clock in their time zone) when it falls outside them."""
    local = instant.astimezone(tz)
    for _ in range(8):
        if local.weekday() < 5 and start <= local.hour < end:
            break
        if local.weekday() < 5 and local.hour < start:
            local = local.replace(hour=start, minute=0, second=0, microsecond=0)
        else:
            local = datetime.combine(local.date() + timedelta(days=1), time(start), tzinfo=tz)
    return local.astimezone(UTC)


def compute_clocks(
    spec: CalendarSpec,
    targets: Targets,
    *,
    opened: datetime,
    paused_credit: timedelta,
    first_responded: bool,
    last_public_update: datetime | None,
    quiet_updates: int = 0,
) -> Clocks:
    """Due times of a running (not paused) case.

    Targets count from when the case was opened, plus the business time credited back
    for every pause (waiting on the customer, or on their confirmation). The update
    clock counts from our last public word, once there was one, backing off while our
    words are automatic updates with nothing new (`update_interval`).
    """
    first_response = (
        None
        if first_responded
        else add_business_time(spec, opened, targets.first_response + paused_credit)
    )
    next_update = (
        add_business_time(
            spec, last_public_update, update_interval(spec, targets.update_interval, quiet_updates)
        )
        if first_responded and last_public_update is not None
        else None
    )
    resolution = add_business_time(spec, opened, targets.resolution + paused_credit)
    return Clocks(first_response, next_update, resolution)
