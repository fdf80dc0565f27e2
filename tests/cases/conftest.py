"""Cases for the desk tests: a new case in triage, the same case owned by Dana, and a case
of Globex, the outsider's organisation."""

import pytest

from cases import services
from cases.models import Case, Priority
from tests.factories import CustomerFactory


@pytest.fixture
def new_case(agent, customer) -> Case:
    """A new, unowned case in the triage queue, opened by Dana for Alex at Acme."""
    return services.open_case(
        acting_user=agent,
        customer=customer,
        title="Laptop will not power on",
        description="Power supply and battery both fail.",
        priority=Priority.NORMAL,
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )


@pytest.fixture
def owned_case(new_case, agent) -> Case:
    """The same case, taken by Dana: open, with one accountable owner."""
    return services.take_ownership(
        case=new_case, acting_user=agent, expected_version=new_case.version
    )


@pytest.fixture
def other_case(other_organization, agent) -> Case:
    """A case of Globex, the outsider's organisation."""
    globex_customer = CustomerFactory(full_name="Pat Globex", organization=other_organization)
    return services.open_case(
        acting_user=agent,
        customer=globex_customer,
        title="Water on the kitchen floor",
        description="The fridge may be leaking.",
    )
