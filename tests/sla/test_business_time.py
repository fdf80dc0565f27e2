"""Business time (cases/sla.py): worked examples, an exhaustive comparison with a
minute-by-minute count of what the office's wall clock says over the weeks the clocks
change, and properties checked by Hypothesis on arbitrary calendars."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cases import sla

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

MON = date(2025, 3, 3)
TUE, WED, FRI, SAT = (MON + timedelta(days=n) for n in (1, 2, 4, 5))
NEXT_MON = MON + timedelta(days=7)

# The days the clocks change: (time zone, day, how long its 24 local hours really last).
DST_DAYS = [
    ("Europe/London", date(2025, 3, 30), 23),
    ("Europe/London", date(2025, 10, 26), 25),
    ("America/New_York", date(2025, 3, 9), 23),
    ("America/New_York", date(2025, 11, 2), 25),
]


def at(day: date, hour: int, minute: int = 0, tz=UTC) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def local_midnight(tz, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def every_day(*intervals, tz="UTC", holidays=()) -> sla.CalendarSpec:
    return sla.CalendarSpec(ZoneInfo(tz), tuple(tuple(intervals) for _ in range(7)), holidays)


def weekdays(*intervals, tz="UTC", holidays=()) -> sla.CalendarSpec:
    weekly = tuple(tuple(intervals) if day < 5 else () for day in range(7))
    return sla.CalendarSpec(ZoneInfo(tz), weekly, frozenset(holidays))


def hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# --- worked examples ---------------------------------------------------------------


OFFICE = sla.office_hours("UTC")


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (at(MON, 10), 3 * HOUR, at(MON, 13)),
        (at(MON, 16), 2 * HOUR, at(TUE, 10)),  # overnight
        (at(FRI, 16), 2 * HOUR, at(NEXT_MON, 10)),  # over the weekend
        (at(SAT, 12), 1 * HOUR, at(NEXT_MON, 10)),  # opened on a Saturday
        (at(MON, 7), 1 * HOUR, at(MON, 10)),  # before opening
        (at(MON, 9), 8 * HOUR, at(MON, 17)),  # a whole day ends at 17:00, not next morning
        (at(MON, 17), MINUTE, at(TUE, 9, 1)),  # from closing time
        (at(MON, 10), 40 * HOUR, at(NEXT_MON, 10)),  # a working week
    ],
)
def test_office_hours_due_times(start, duration, due):
    assert sla.add_business_time(OFFICE, start, duration) == due
    assert sla.business_time_between(OFFICE, start, due) == duration


def test_holidays_are_not_working_days():
    spec = sla.office_hours("UTC", holidays=[TUE])

    assert sla.add_business_time(spec, at(MON, 16), 2 * HOUR) == at(WED, 10)
    assert sla.business_time_between(spec, at(MON, 9), at(WED, 9)) == 8 * HOUR
    assert not sla.is_working_time(spec, at(TUE, 12))


def test_several_intervals_a_day():
    spec = weekdays((hhmm("09:00"), hhmm("12:00")), (hhmm("13:00"), hhmm("17:00")))

    assert sla.add_business_time(spec, at(MON, 11), 2 * HOUR) == at(MON, 14)
    assert sla.add_business_time(spec, at(MON, 11), 1 * HOUR) == at(MON, 12)  # ends at lunch
    assert sla.add_business_time(spec, at(MON, 12, 30), 30 * MINUTE) == at(MON, 13, 30)
    assert sla.business_time_between(spec, at(MON, 8), at(MON, 18)) == 7 * HOUR
    assert sla.business_time_between(spec, at(MON, 12), at(MON, 13)) == timedelta(0)
    assert sla.is_working_time(spec, at(MON, 11, 59))
    assert not sla.is_working_time(spec, at(MON, 12, 30))
    assert sla.is_working_time(spec, at(MON, 13))


def test_a_night_shift_runs_over_midnight():
    spec = every_day((0, hhmm("06:00")), (hhmm("22:00"), 24 * 60))

    assert sla.add_business_time(spec, at(MON, 23), 2 * HOUR) == at(TUE, 1)
    assert sla.business_time_between(spec, at(MON, 12), at(TUE, 12)) == 8 * HOUR


def test_working_time_includes_opening_and_excludes_closing():
    assert sla.is_working_time(OFFICE, at(MON, 9))
    assert sla.is_working_time(OFFICE, at(MON, 16, 59))
    assert not sla.is_working_time(OFFICE, at(MON, 17))
    assert not sla.is_working_time(OFFICE, at(SAT, 12))


def test_zero_duration_is_the_start_even_outside_working_hours():
    assert sla.add_business_time(OFFICE, at(SAT, 12), timedelta(0)) == at(SAT, 12)


def test_business_time_between_is_zero_when_the_end_is_not_later():
    assert sla.business_time_between(OFFICE, at(MON, 12), at(MON, 10)) == timedelta(0)
    assert sla.business_time_between(OFFICE, at(MON, 12), at(MON, 12)) == timedelta(0)


def test_nonsense_is_refused():
    with pytest.raises(ValueError, match="negative"):
        sla.add_business_time(OFFICE, at(MON, 9), -MINUTE)
    with pytest.raises(ValueError, match="no working time"):
        sla.add_business_time(every_day(), at(MON, 9), HOUR)
    with pytest.raises(ValueError, match="Bad working interval"):
        every_day((hhmm("17:00"), hhmm("09:00")))
    with pytest.raises(ValueError, match="7 weekdays"):
        sla.CalendarSpec(UTC, ((0, 60),))


# --- the days the clocks change ------------------------------------------------------


@pytest.mark.parametrize(("tz", "day", "_hours"), DST_DAYS)
def test_office_hours_stay_nine_to_five_local_when_the_clocks_change(tz, day, _hours):
    zone = ZoneInfo(tz)
    spec = every_day((hhmm("09:00"), hhmm("17:00")), tz=tz)

    begin, end = next(sla.working_intervals(spec, local_midnight(zone, day)))

    assert begin == at(day, 9, tz=zone)
    assert end == at(day, 17, tz=zone)
    assert sla.add_business_time(spec, at(day, 9, tz=zone), 8 * HOUR) == at(day, 17, tz=zone)
    whole_day = sla.business_time_between(
        spec, local_midnight(zone, day), local_midnight(zone, day + timedelta(days=1))
    )
    assert whole_day == 8 * HOUR


@pytest.mark.parametrize(("tz", "day", "hours"), DST_DAYS)
def test_a_24x7_local_day_lasts_23_or_25_hours_when_the_clocks_change(tz, day, hours):
    zone = ZoneInfo(tz)
    spec = sla.always_open(tz)
    midnight = local_midnight(zone, day)
    next_midnight = local_midnight(zone, day + timedelta(days=1))

    assert next_midnight - midnight == hours * HOUR
    assert sla.business_time_between(spec, midnight, next_midnight) == hours * HOUR
    assert sla.add_business_time(spec, midnight, hours * HOUR) == next_midnight


def test_a_due_time_over_the_dst_weekend_keeps_local_office_hours():
    spec = sla.office_hours("Europe/London")
    friday = at(date(2025, 3, 28), 16, tz=LONDON)  # GMT, UTC+0
    monday = at(date(2025, 3, 31), 10, tz=LONDON)  # BST, UTC+1

    assert sla.add_business_time(spec, friday, 2 * HOUR) == monday
    assert monday.astimezone(UTC).hour == 9


@pytest.mark.parametrize(
    ("tz", "day", "break_", "jump", "worked"),
    [
        # London skips 01:00-02:00 (at 01:00 UTC) on 30 March; New York 02:00-03:00 (07:00
        # UTC) on 9 March. A break inside the skipped hour never happens; one that runs on
        # past it lasts only as long as it is real.
        ("Europe/London", date(2025, 3, 30), ("01:30", "02:00"), 1, 23 * HOUR),
        ("Europe/London", date(2025, 3, 30), ("01:30", "02:15"), 1, 23 * HOUR - 15 * MINUTE),
        ("America/New_York", date(2025, 3, 9), ("02:30", "03:00"), 7, 23 * HOUR),
    ],
)
def test_wall_times_the_clocks_skip_add_no_working_time(tz, day, break_, jump, worked):
    zone = ZoneInfo(tz)
    spec = every_day((0, hhmm(break_[0])), (hhmm(break_[1]), 24 * 60), tz=tz)
    midnight = local_midnight(zone, day)
    next_midnight = local_midnight(zone, day + timedelta(days=1))

    _begin, end = next(sla.working_intervals(spec, midnight))
    assert end == at(day, jump)  # the morning interval ends when the clocks jump
    assert sla.business_time_between(spec, midnight, next_midnight) == worked
    for duration in (HOUR, 90 * MINUTE, 2 * HOUR, 3 * HOUR):
        due = sla.add_business_time(spec, midnight, duration)
        assert sla.business_time_between(spec, midnight, due) == duration


# --- exhaustive: against the wall clock, minute by minute -----------------------------


class WallClock:
    """What the office's clock says, minute by minute: an independent count of working
    time that knows nothing of intervals in UTC."""

    def __init__(self, spec: sla.CalendarSpec, start: datetime, days: int):
        self.start = start
        flags = [self._working(spec, start + n * MINUTE) for n in range(days * 24 * 60)]
        self.prefix = [0, *accumulate(flags)]

    @staticmethod
    def _working(spec, instant) -> bool:
        wall = instant.astimezone(spec.tz)
        minute = wall.hour * 60 + wall.minute
        return wall.date() not in spec.holidays and any(
            begin <= minute < end for begin, end in spec.weekly[wall.weekday()]
        )

    def _index(self, instant: datetime) -> int:
        return (instant - self.start) // MINUTE

    def between(self, start: datetime, end: datetime) -> timedelta:
        return (self.prefix[self._index(end)] - self.prefix[self._index(start)]) * MINUTE

    def working(self, instant: datetime) -> bool:
        index = self._index(instant)
        return self.prefix[index + 1] > self.prefix[index]


# Interval edges stay out of the hour the clocks change: what a 01:30 closing time means
# on a day 01:30 happens twice is a convention, not something a wall clock can settle.
CALENDARS = {
    "London office hours with a holiday": sla.office_hours(
        "Europe/London", holidays=[date(2025, 3, 27), date(2025, 10, 28)]
    ),
    "New York 24x7": sla.always_open("America/New_York"),
    "New York split shift": every_day(
        (hhmm("07:00"), hhmm("11:00")), (hhmm("12:00"), hhmm("18:00")), tz="America/New_York"
    ),
    "London night shift": every_day(
        (0, hhmm("06:00")), (hhmm("22:00"), 24 * 60), tz="Europe/London"
    ),
}
# Ten days from each Thursday take in a change of the clocks in New York or London.
WEEKS = [date(2025, 3, 6), date(2025, 3, 27), date(2025, 10, 23), date(2025, 10, 30)]


@pytest.mark.parametrize("week", WEEKS, ids=str)
@pytest.mark.parametrize("name", CALENDARS)
def test_every_half_hour_of_a_dst_week_matches_the_wall_clock(name, week):
    spec = CALENDARS[name]
    begin = at(week, 0)
    wall = WallClock(spec, begin, days=14)
    for step in range(0, 10 * 24 * 2 + 1):
        start = begin + step * 30 * MINUTE
        for span in (17 * MINUTE, 5 * HOUR, 30 * HOUR, 3 * 24 * HOUR):
            assert sla.business_time_between(spec, start, start + span) == wall.between(
                start, start + span
            ), (name, start, span)
        for duration in (MINUTE, 45 * MINUTE, 8 * HOUR, 20 * HOUR):
            due = sla.add_business_time(spec, start, duration)
            assert wall.between(start, due) == duration, (name, start, duration)
            assert wall.working(due - MINUTE), (name, start, duration, due)
        assert sla.is_working_time(spec, start) == wall.working(start), (name, start)


# --- properties, on any calendar ------------------------------------------------------


ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
CHANGE_DAYS = [
    date(2025, 3, 9),
    date(2025, 3, 30),
    date(2025, 4, 6),
    date(2025, 10, 5),
    date(2025, 10, 26),
    date(2025, 11, 2),
    date(2026, 3, 29),
]


@st.composite
def calendars(draw) -> sla.CalendarSpec:
    """Any time zone; each weekday 0-3 intervals with edges on the half hour (some fall in
    the hour the clocks skip or repeat); a few holidays."""
    weekly = []
    for _day in range(7):
        edges = sorted(draw(st.sets(st.integers(0, 48), max_size=6)))
        edges = edges[: len(edges) - len(edges) % 2]
        weekly.append(tuple((a * 30, b * 30) for a, b in zip(edges[::2], edges[1::2], strict=True)))
    assume(any(weekly))
    holidays = draw(
        st.frozensets(
            st.one_of(st.sampled_from(CHANGE_DAYS), st.dates(date(2025, 1, 1), date(2026, 6, 30))),
            max_size=4,
        )
    )
    return sla.CalendarSpec(ZoneInfo(draw(st.sampled_from(ZONES))), tuple(weekly), holidays)


def instants() -> st.SearchStrategy[datetime]:
    """Anywhere in 2025-2026, with extra weight on the days the clocks change."""
    anywhere = st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 30), timezones=st.just(UTC)
    )
    near_a_change = st.builds(
        lambda day, minutes: at(day, 0) + timedelta(minutes=minutes),
        st.sampled_from(CHANGE_DAYS),
        st.integers(-24 * 60, 2 * 24 * 60),
    )
    return st.one_of(anywhere, near_a_change)


def weekly_minutes(spec: sla.CalendarSpec) -> int:
    return sum(end - begin for day in spec.weekly for begin, end in day)


@st.composite
def durations(draw, spec: sla.CalendarSpec) -> timedelta:
    """Up to about three working weeks of this calendar, in minutes and seconds."""
    limit = 3 * weekly_minutes(spec) * 60
    return timedelta(seconds=draw(st.integers(0, limit)))


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(data=st.data(), spec=calendars(), start=instants())
def test_adding_then_measuring_returns_the_same_duration(data, spec, start):
    duration = data.draw(durations(spec))

    due = sla.add_business_time(spec, start, duration)

    assert due >= start
    assert sla.business_time_between(spec, start, due) == duration


@PROPERTY
@given(data=st.data(), spec=calendars(), start=instants())
def test_a_due_time_is_never_outside_working_hours(data, spec, start):
    duration = data.draw(durations(spec))
    assume(duration > timedelta(0))

    due = sla.add_business_time(spec, start, duration)

    # Inside a working interval, or exactly at its end: the moment just before is working.
    assert sla.is_working_time(spec, due - timedelta(microseconds=1))


@PROPERTY
@given(spec=calendars(), start=instants(), span=st.integers(0, 10 * 24 * 60))
def test_business_time_never_exceeds_the_time_that_passed(spec, start, span):
    end = start + timedelta(minutes=span)

    assert timedelta(0) <= sla.business_time_between(spec, start, end) <= end - start


@PROPERTY
@given(data=st.data(), spec=calendars(), start=instants(), split=st.integers(0, 7 * 24 * 60))
def test_business_time_adds_up_over_consecutive_spans(data, spec, start, split):
    middle = start + timedelta(minutes=split)
    end = middle + timedelta(minutes=data.draw(st.integers(0, 7 * 24 * 60)))

    assert sla.business_time_between(spec, start, end) == (
        sla.business_time_between(spec, start, middle)
        + sla.business_time_between(spec, middle, end)
    )


@PROPERTY
@given(
    data=st.data(),
    spec=calendars(),
    opened=instants(),
    paused_after=st.integers(0, 5 * 24 * 60),
    paused_for=st.integers(0, 10 * 24 * 60),
)
def test_a_pause_moves_due_times_by_exactly_its_business_time(
    data, spec, opened, paused_after, paused_for
):
    targets = sla.Targets(
        first_response=data.draw(durations(spec)),
        update_interval=HOUR,
        resolution=data.draw(durations(spec)),
        warn_owner_lead=HOUR,
        notify_customer_lead=HOUR,
        update_grace=HOUR,
    )
    pause = opened + timedelta(minutes=paused_after)
    resume = pause + timedelta(minutes=paused_for)
    credit = sla.business_time_between(spec, pause, resume)

    def clocks(paused_credit):
        return sla.compute_clocks(
            spec,
            targets,
            opened=opened,
            paused_credit=paused_credit,
            first_responded=False,
            last_public_update=None,
        )

    before, after = clocks(timedelta(0)), clocks(credit)

    for due_before, due_after in (
        (before.first_response_due, after.first_response_due),
        (before.resolution_due, after.resolution_due),
    ):
        assert due_after >= due_before
        assert sla.business_time_between(spec, due_before, due_after) == credit
