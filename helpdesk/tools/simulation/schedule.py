"""The simulation's calendar: a queue of what happens when, drawn from one seeded
generator, so a seed gives the same run every time."""

import heapq
import itertools
import random
from datetime import datetime, timedelta

from django.utils import timezone

OPENS, CLOSES = 8, 18  # business hours, UTC, weekdays


class Schedule:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.queue: list = []
        self.order = itertools.count()

    def at(self, when: datetime, action, *args) -> None:
        heapq.heappush(self.queue, (when, self.number(), action, args))

    def number(self) -> int:
        """The next number of the run's one counter (it also orders events of one moment)."""
        return next(self.order)

    def next_event(self, end: datetime):
        """(when, action, args) of the next event up to `end`, else None."""
        if not self.queue:
            return None
        when, _n, action, args = heapq.heappop(self.queue)
        if when > end:
            return None
        return when, action, args

    def later(self, minutes_low: float, minutes_high: float) -> datetime:
        return timezone.now() + timedelta(minutes=self.random.uniform(minutes_low, minutes_high))

    def arrivals(self, start: datetime, end: datetime, cases_per_day: int, action) -> None:
        """Poisson arrivals during weekday business hours (08:00 to 18:00 UTC): the gaps
        between customers are counted in business time, so `cases_per_day` arrive on
        each working day."""
        rate_per_minute = cases_per_day / ((CLOSES - OPENS) * 60)
        moment = opening(start)
        while moment < end:
            gap = timedelta(minutes=self.random.expovariate(rate_per_minute))
            closing = moment.replace(hour=CLOSES, minute=0, second=0, microsecond=0)
            while moment + gap >= closing:  # the rest of the gap runs from the next opening
                gap -= closing - moment
                moment = opening(closing)
                closing = moment.replace(hour=CLOSES, minute=0, second=0, microsecond=0)
            moment += gap
            if moment < end:
                self.at(moment, action)


def opening(moment: datetime) -> datetime:
    """The first business moment (weekdays 08:00 to 18:00 UTC) at or after `moment`."""
    if moment.hour >= CLOSES:
        moment = (moment + timedelta(days=1)).replace(hour=OPENS, minute=0, second=0, microsecond=0)
    elif moment.hour < OPENS:
        moment = moment.replace(hour=OPENS, minute=0, second=0, microsecond=0)
    while moment.weekday() >= 5:
        moment = (moment + timedelta(days=1)).replace(hour=OPENS, minute=0, second=0, microsecond=0)
    return moment
