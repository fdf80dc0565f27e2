"""One simulated run, from an empty floor to its outcome, inside a transaction that is
rolled back: the database is left as it was, and two modes can run from the same state.

Time is the simulation's clock (time-machine moves it; nothing sleeps). The run patches
the product only where the simulation stands in for the outside world: tasks are not
sent to a broker (the ticks deliver what the workers would), and the baseline's sweep
skips the proactive customer notice.
"""

from contextlib import ExitStack
from datetime import datetime, timedelta
from unittest import mock

from django.core import mail
from django.db import connection, transaction
from django.test.utils import override_settings

from cases import clocks
from cases.models import Case, Handoff, Promise, SLAEvent, SLAStep, TimelineEntry
from cases.services import calls, sla_steps
from helpdesk import queue
from helpdesk.accounts.models import Absence, User
from notifications.models import Notice

from .config import START, Config, Outcome
from .contact import Contact
from .floor import Floor
from .report import measure
from .roster import Roster
from .schedule import Schedule
from .ticks import Ticks
from .world import build_world

# The tables a run fills: analysed as they grow, vacuumed after the rollback.
TABLES = [
    model._meta.db_table
    for model in (Case, TimelineEntry, Notice, SLAEvent, Handoff, Promise, User, Absence)
]


def simulate(config: Config, *, check_every_tick: bool = False) -> Outcome:
    """Run one mode inside a transaction that is rolled back: the database is unchanged."""
    mail.outbox = []
    with transaction.atomic():
        outcome = run(config, check_every_tick=check_every_tick)
        transaction.set_rollback(True)
    mail.outbox = []
    clocks.forget_policies()  # the run's policies are gone with it
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rolled-back rows are dead weight for the next run: clear them now.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(TABLES)}")
    return outcome


def run(config: Config, *, check_every_tick: bool = False) -> Outcome:
    # An extra of the tools (`pip install -e '.[tools]'`), imported where it is used so
    # that the product, and this package, load without it.
    import time_machine

    outcome = Outcome(mode="baseline" if config.baseline else "normal")
    end = START + timedelta(weeks=config.weeks)
    with ExitStack() as stack:
        stack.enter_context(
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                CUSTOMER_EMAIL_THROTTLE=0 if config.baseline else 15 * 60,
            )
        )
        # Outside the sweep's own batching, notices are delivered by the ticks.
        stack.enter_context(mock.patch.object(queue, "send_now", lambda *_task: True))
        if config.baseline:
            stack.enter_context(
                mock.patch.object(sla_steps, "apply_step", without_customer_notice())
            )
            # Nor does its desk ask owners to call before a deadline.
            stack.enter_context(mock.patch.object(calls, "ask_to_call", lambda *a, **kw: None))
        # The run is one transaction, rolled back at the end: nested atomic blocks need
        # no savepoints (a failure aborts the whole run rather than one action).
        stack.enter_context(mock.patch.object(connection.features, "uses_savepoints", False))
        clock = stack.enter_context(time_machine.travel(START, tick=False))
        schedule = Schedule(config.seed)
        world = build_world(config)
        floor = Floor(config, world, schedule)
        roster = Roster(config, world, schedule, floor)
        contact = Contact(config, world, schedule, floor)
        ticks = Ticks(
            config, outcome, world, route_waiting=floor.route_waiting,
            owners_found=floor.owners_found, tables=TABLES, check=check_every_tick,
        )  # fmt: skip
        roster.plan(end)
        schedule.arrivals(START, end, config.cases_per_day, floor.arrive)
        tick = START
        while tick < end:
            schedule.at(tick, ticks.tick)
            schedule.at(tick, contact.tick)
            tick += timedelta(minutes=config.tick_minutes)
        schedule.at(START + timedelta(days=config.deactivate_day), roster.someone_leaves)
        next_sweep: datetime | None = None
        while (event := schedule.next_event(end)) is not None:
            when, action, args = event
            clock.move_to(when)
            if action not in (ticks.tick, ticks.sweep, contact.tick):
                ticks.moved = True
                # Beat runs the sweep every minute: what an event made due (a case resumed
                # close to its deadline) is seen within the minute, not at the next tick.
                minute = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
                if minute != next_sweep:
                    next_sweep = minute
                    schedule.at(minute, ticks.sweep)
            action(*args)
        ticks.finish()
        measure(outcome, baseline=config.baseline, end=end, verdicts=floor.verdicts)
    return outcome


def without_customer_notice():
    """The baseline's SLA step: no proactive notice to the customer; the sweep still
    warns owners and records breaches."""
    real_step = sla_steps.apply_step

    def apply_step(case, threshold, targets, *, now):
        if threshold.step == SLAStep.CUSTOMER_NOTIFIED:
            return False
        return real_step(case, threshold, targets, now=now)

    return apply_step
