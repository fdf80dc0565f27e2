"""Who is at work on the simulated floor: every agent's shift (available inside it, away
at lunch, off outside it), Support agents out of office for a few days with a colleague
covering, and one agent leaving mid-run.

Agents say so themselves through the product (`services.set_availability`); the manager
plans the absences at the start of the run (`services.plan_absence`) and the sweep hands
the absent agent's cases over when one starts. The manager takes no cases.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from cases import selectors, services
from cases.models import Case, Status
from cases.services import routing
from helpdesk.accounts.models import User

from .config import START, Config
from .floor import Floor
from .schedule import Schedule
from .world import World

# Weekday shifts, UTC, as minutes of the day: together they cover the customers' hours
# (08:00 to 18:00) with a quarter of an hour to spare at each end.
SHIFTS = [(7 * 60 + 45, 16 * 60 + 15), (9 * 60 + 45, 18 * 60 + 15)]
LUNCH_AFTER, LUNCH = timedelta(hours=4), timedelta(minutes=30)
AVAILABLE, AWAY, OFF = User.Availability.AVAILABLE, User.Availability.AWAY, User.Availability.OFF


@dataclass(frozen=True)
class Away:
    agent: User
    cover: User
    starts: datetime
    ends: datetime


def shift_of(agent_number: int) -> int:
    """Agents of a department alternate between the early and the late shift."""
    return agent_number % len(SHIFTS)


class Roster:
    def __init__(self, config: Config, world: World, schedule: Schedule, floor: Floor):
        self.config = config
        self.world = world
        self.schedule = schedule
        self.random = schedule.random
        self.floor = floor
        self.absences: list[Away] = []

    def plan(self, end: datetime) -> None:
        """Every shift's start, lunch and end up to `end`, and the weeks' absences."""
        day = START.replace(hour=0, minute=0)
        while day < end:
            if day.weekday() < 5:
                for shift, (starts, ends) in enumerate(SHIFTS):
                    opening = day + timedelta(minutes=starts)
                    for when, availability in [
                        (opening, AVAILABLE),
                        (opening + LUNCH_AFTER, AWAY),
                        (opening + LUNCH_AFTER + LUNCH, AVAILABLE),
                        (day + timedelta(minutes=ends), OFF),
                    ]:
                        if START <= when < end:
                            self.schedule.at(when, self.shift_turns, shift, availability)
            day += timedelta(days=1)
        self.plan_absences(end)

    def shift_turns(self, shift: int, availability: str) -> None:
        """The shift's agents start, go to lunch, come back or go home; an agent out of
        office or gone stays off."""
        now = timezone.now()
        for members in self.world.agents.values():
            for number, agent in enumerate(members):
                if shift_of(number) != shift or not agent.is_active or self.is_away(agent, now):
                    continue
                services.set_availability(agent=agent, acting_user=agent, availability=availability)
        if availability == AVAILABLE:
            # What becoming available does once the change commits (the run never does).
            self.floor.route_waiting()

    def is_away(self, agent: User, now: datetime) -> bool:
        return any(a.agent.pk == agent.pk and a.starts <= now < a.ends for a in self.absences)

    def plan_absences(self, end: datetime) -> None:
        """Each week, `absences_per_week` Support agents are out of office for one to three
        days from midnight, each covered by a colleague who is neither out nor covering for
        someone else meanwhile."""
        team = self.world.agents["Support"]
        for week in range(math.ceil(self.config.weeks)):
            monday = START.replace(hour=0, minute=0) + timedelta(weeks=week)
            for _n in range(self.config.absences_per_week):
                starts = monday + timedelta(days=self.random.randrange(5))
                ends = starts + timedelta(days=self.random.randint(1, 3))
                free = [a for a in team if not self.overlaps(a, starts, ends)]
                if starts >= end or len(free) < 2:
                    continue
                agent, cover = self.random.sample(free, 2)
                services.plan_absence(
                    agent=agent, acting_user=self.world.manager, starts=starts, ends=ends,
                    cover=cover,
                )  # fmt: skip
                self.absences.append(Away(agent, cover, starts, ends))

    def overlaps(self, agent: User, starts: datetime, ends: datetime) -> bool:
        """Whether `agent` is out of office or covering for someone at some time then."""
        return any(
            agent.pk in (a.agent.pk, a.cover.pk) and a.starts < ends and starts < a.ends
            for a in self.absences
        )

    def someone_leaves(self) -> None:
        """The last Support agent leaves. With capacity in view (the team page), the
        manager first spreads their cases over colleagues with room; the baseline's
        manager just deactivates them, and their lead inherits every case."""
        leaving = self.world.agents["Support"][-1]
        if not self.config.baseline:
            self.spread_cases_of(leaving)
        services.deactivate_agent(agent=leaving, acting_user=self.world.manager)
        leaving.refresh_from_db()

    def spread_cases_of(self, leaving: User) -> None:
        """The manager gives each of the leaver's cases to the least loaded colleague at
        work this week with room for it."""
        now = timezone.now()
        team = [
            agent
            for agent in self.world.agents["Support"]
            if agent.is_active and agent.pk != leaving.pk and not self.is_away(agent, now)
        ]
        load = selectors.loads([agent.pk for agent in team])  # as the team page shows
        cases = Case.objects.filter(owner=leaving).exclude(status=Status.CLOSED).order_by("pk")
        for case in cases:
            active = case.status in routing.ACTIVE
            room = [a for a in team if not active or load.get(a.pk, 0) < a.capacity]
            if not room:
                return  # the rest go to the lead with the deactivation
            to = min(room, key=lambda a: (load.get(a.pk, 0), a.pk))
            services.transfer_ownership(
                case=case, acting_user=self.world.manager, to=to, expected_version=None,
                reason=f"{leaving.full_name} is leaving us.",
            )  # fmt: skip
            load[to.pk] = load.get(to.pk, 0) + int(active)
