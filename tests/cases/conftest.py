"""Cases for the desk tests: a case in triage, one owned by Dana, the teammate from another
department, and helpers that act through the desk's URLs as an agent's browser would."""

import pytest

from cases import services
from cases.models import Case, Priority
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throw-away folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hardware(db):
    return DepartmentFactory(name="Hardware")


@pytest.fixture
def teammate(hardware):
    """An agent of another department: may add notes, may not steer someone else's case."""
    return AgentFactory(email="sam@example.test", full_name="Sam Ortiz", departments=[hardware])


@pytest.fixture
def case(agent, customer) -> Case:
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
def owned_case(case, agent) -> Case:
    """The same case, taken by Dana: open, with one accountable owner."""
    return services.take_ownership(case=case, acting_user=agent, expected_version=case.version)


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


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
