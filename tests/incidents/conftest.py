"""Incident fixtures: the outage, three organisations' cases linked to one incident caused
by a release."""

import pytest

from cases.models import Case, Incident, Priority
from cases.services import incidents
from tests.factories import CustomerFactory, OrganizationFactory
from tests.helpers import OUTAGE_TITLE, open_case

# --- The outage ------------------------------------------------------------------------


@pytest.fixture
def initech_customer(db):
    return CustomerFactory(
        email="it@initech.test",
        full_name="Initech IT desk",
        organization=OrganizationFactory(name="Initech"),
    )


@pytest.fixture
def umbrella_customer(db):
    return CustomerFactory(
        email="ops@umbrella.test",
        full_name="Umbrella operations",
        organization=OrganizationFactory(name="Umbrella"),
    )


@pytest.fixture
def outage_cases(agent, customer, initech_customer, umbrella_customer) -> list[Case]:
    """Three organisations report the web program failing after sign-in; Dana owns each."""
    return [
        open_case(
            agent,
            customer,
            "Our web program stopped working",
            description="Users get an error page right after signing in to the web program.",
            priority=Priority.HIGH,
            owner=agent,
        ),
        open_case(
            agent,
            initech_customer,
            "Web program shows an error after sign in",
            description="Our staff get an error page right after signing in to the web program.",
            priority=Priority.HIGH,
            owner=agent,
        ),
        open_case(
            agent,
            umbrella_customer,
            "Sign-in to the web program fails with error 500",
            description="Every sign in to the web program ends on an internal server error (500).",
            priority=Priority.HIGH,
            owner=agent,
        ),
    ]


@pytest.fixture
def outage(agent, outage_cases) -> Incident:
    """The incident behind the three cases, caused by release 4.2."""
    return incidents.open_incident(
        acting_user=agent,
        title=OUTAGE_TITLE,
        public_summary="Since release 4.2, signing in to the web program can end on an error.",
        cause="Release 4.2",
        cases=outage_cases,
    )
