"""Search finds a case by anything the customer or an agent may quote, and nothing for
nothing."""

import pytest

from cases import selectors, services
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptop(new_case):
    return new_case


@pytest.fixture
def leak(other_case):
    return other_case


def found(client, query: str) -> str:
    response = client.get("/desk/search/", {"q": query})
    assert response.status_code == 200
    return response.text


def row_for(case) -> str:
    return f'href="/desk/cases/{case.reference}/"'


@pytest.mark.parametrize(
    "query",
    [
        "reference",
        "lowercase reference",
        "plain number",
        "power on",
        "Alex Kim",
        "customer@example",
        "acme",
        "5CD1234",
    ],
)
def test_search_finds_the_laptop_case(agent_client, laptop, leak, query):
    typed_reference = query.endswith("reference")
    query = {
        "reference": laptop.reference,
        "lowercase reference": laptop.reference.lower(),
        "plain number": str(laptop.pk),
    }.get(query, query)

    if typed_reference:
        # A typed reference opens the case itself.
        response = agent_client.get("/desk/search/", {"q": query})
        assert response.status_code == 302 and response.url == f"/desk/cases/{laptop.reference}/"
        return
    html = found(agent_client, query)

    assert row_for(laptop) in html
    assert "Laptop will not power on" in html
    if not query.isdigit():
        assert row_for(leak) not in html


def test_search_by_the_other_organisation_finds_only_its_case(agent_client, laptop, leak):
    html = found(agent_client, "Globex")

    assert row_for(leak) in html
    assert row_for(laptop) not in html
    assert 'data-testid="result-count">1 case found' in html


def test_search_finds_an_identifier_added_later(agent_client, laptop, agent):
    services.add_identifier(case=laptop, acting_user=agent, name="Order ID", value="PO-44017")

    assert row_for(laptop) in found(agent_client, "po-44017")


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_returns_nothing(agent_client, agent, laptop, leak, query):
    assert list(selectors.search_cases(agent, query)) == []

    html = found(agent_client, query)

    assert row_for(laptop) not in html
    assert row_for(leak) not in html
    assert 'data-testid="results"' not in html


def test_search_as_you_type_returns_only_the_results_fragment(agent_client, laptop):
    response = agent_client.get(
        "/desk/search/",
        {"q": "laptop"},
        headers={**HTMX, "HX-Target": "search-results"},
    )

    assert response.text.lstrip().startswith('<section id="search-results"')
    assert row_for(laptop) in response.text
    assert "<html" not in response.text


def test_search_never_reaches_beyond_what_the_user_may_see(laptop, leak, outsider):
    assert list(selectors.search_cases(outsider, "Laptop")) == []
    assert list(selectors.search_cases(outsider, laptop.reference)) == []
    assert list(selectors.search_cases(outsider, "Water")) == [leak]
