"""SLA fixtures: calendars and policies, a frozen clock the test moves (never a sleep),
cases opened at T0, and the sweep run at a chosen moment."""

from datetime import datetime

import pytest

from cases import services
from cases.models import Case, Priority
from notifications.sweep import SweepResult, run_sweep
from tests.sla.seed import T0, create_policies


@pytest.fixture
def policies(db):
    return create_policies()


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 until the test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def make_case(policies, agent, customer, clock):
    """Open a case for Alex now; owned by Dana unless `owner=None`."""

    def make(
        title: str = "Laptop will not power on",
        *,
        priority: int = Priority.NORMAL,
        owner=agent,
        customer=customer,
    ) -> Case:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=title,
            description="Power supply and battery both fail.",
            priority=priority,
        )
        if owner is not None:
            services.take_ownership(case=case, acting_user=owner, expected_version=None)
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def owned_case(make_case) -> Case:
    """Normal priority on the 24x7 calendar, opened and taken by Dana at T0: first response
    due at T0+4h (owner warned at +2h, customer told at +3h), resolution at T0+12h."""
    return make_case()


@pytest.fixture
def sweep(clock):
    """Move the clock to `when` and run the SLA sweep there, as beat would."""

    def run(when: datetime) -> SweepResult:
        clock.move_to(when, tick=False)
        return run_sweep(now=when)

    return run
