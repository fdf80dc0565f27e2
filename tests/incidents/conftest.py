"""Incident fixtures: the outage (three organisations' cases linked to one incident caused
by a release), an SMTP server that keeps what it receives, and signed-in clients."""

import pytest
from django.test import Client

from cases import services
from cases.models import Case, Incident, Priority
from cases.services import incidents
from tests.factories import CustomerFactory, OrganizationFactory
from tests.incidents.helpers import OUTAGE_TITLE, signed_in

# --- The outage ------------------------------------------------------------------------


def _open_case(agent, customer, title: str, description: str, *, take: bool = True) -> Case:
    case = services.open_case(
        acting_user=agent,
        customer=customer,
        title=title,
        description=description,
        priority=Priority.HIGH,
    )
    if take:
        case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    return case


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
        _open_case(
            agent,
            customer,
            "Our web program stopped working",
            "Users get an error page right after signing in to the web program.",
        ),
        _open_case(
            agent,
            initech_customer,
            "Web program shows an error after sign in",
            "Our staff get an error page right after signing in to the web program.",
        ),
        _open_case(
            agent,
            umbrella_customer,
            "Sign-in to the web program fails with error 500",
            "Every sign in to the web program ends on an internal server error (500).",
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


# --- Signed-in clients -----------------------------------------------------------------


@pytest.fixture
def agent_client(agent) -> Client:
    return signed_in(agent)


@pytest.fixture
def customer_client(customer) -> Client:
    return signed_in(customer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return signed_in(outsider)
