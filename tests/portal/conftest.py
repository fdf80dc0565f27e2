"""Portal fixtures: Alex's case at Acme (reported in the portal, owned by Dana), at each
step of its life, and a client signed in as Alex."""

import pytest

from cases import services
from cases.models import Case


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throw-away folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reported_case(customer) -> Case:
    """Alex reports a problem in the portal: new, unowned, with a serial number on file."""
    return services.report_case(
        acting_user=customer,
        title="Laptop will not power on",
        description="Power supply and battery both fail.",
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )


@pytest.fixture
def owned_case(reported_case, agent) -> Case:
    """The same case taken by Dana Lee of Support: open, with one owner."""
    return services.take_ownership(case=reported_case, acting_user=agent, expected_version=None)


@pytest.fixture
def pending_case(owned_case, agent) -> Case:
    """Dana believes it is fixed and asks Alex to confirm."""
    return services.propose_resolution(
        case=owned_case,
        acting_user=agent,
        body="We replaced the power supply.",
        expected_version=None,
    )


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client
