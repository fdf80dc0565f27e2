"""SLA fixtures: cases opened at T0 under the shared policies and frozen clock, and the sweep
run at a chosen moment."""

from datetime import datetime

import pytest

from cases.models import Case, Priority
from notifications.sweep import SweepResult
from tests.helpers import fresh, open_case, sweep_at


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
        case = open_case(
            agent,
            customer,
            title,
            description="Power supply and battery both fail.",
            priority=priority,
            owner=owner,
        )
        return fresh(case)

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
        return sweep_at(clock, when)

    return run
