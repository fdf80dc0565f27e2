"""Portal fixtures: Alex's case at Acme (reported in the portal, owned by Dana), at each
step of its life."""

import pytest

from cases import services
from cases.models import Case
from tests.helpers import propose, report_case, take


@pytest.fixture
def reported_case(customer) -> Case:
    """Alex reports a problem in the portal: new, unowned, with a serial number on file."""
    return report_case(
        customer,
        "Laptop will not power on",
        description="Power supply and battery both fail.",
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )


@pytest.fixture
def owned_case(reported_case, agent) -> Case:
    """The same case taken by Dana Lee of Support: open, with one owner."""
    return take(reported_case, agent)


@pytest.fixture
def pending_case(owned_case, agent) -> Case:
    """Dana believes it is fixed and asks Alex to confirm."""
    return propose(owned_case, agent, "We replaced the power supply.")
