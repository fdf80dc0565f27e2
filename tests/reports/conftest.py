"""Report fixtures: SLA policies, a frozen clock the test moves (never a sleep), the
teams of the laptop story (Support, Hardware, Parts) and a manager signed in to /reports/.

Every figure a report shows is made by the real services (cases.services, cases.handoffs,
cases.services.sla_steps, the SLA sweep), except in the query-count tests, which bulk-create
history rows to reach hundreds of cases quickly."""

import pytest

from tests.factories import AgentFactory, DepartmentFactory
from tests.sla.seed import T0, create_policies


@pytest.fixture
def policies(db):
    return create_policies()


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 (Monday 3 March 2025, 09:00 UTC) until the test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def hardware(db):
    return DepartmentFactory(name="Hardware")


@pytest.fixture
def parts(db):
    return DepartmentFactory(name="Parts")


@pytest.fixture
def teammate(hardware):
    """Sam, of Hardware: owns cases of their own, and takes some of Dana's."""
    return AgentFactory(email="sam@example.test", full_name="Sam Ortiz", departments=[hardware])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
