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


# --- what the cases say -------------------------------------------------------------------


@pytest.fixture
def hardware_case(customer, hw_agent):
    """A case of Hardware's, where the customer quoted an error message."""
    case = services.open_case(
        acting_user=hw_agent, customer=customer, title="Dock keeps restarting", description=""
    )
    services.add_customer_message(
        case=case,
        acting_user=customer,
        body="Since the firmware update the dock shows error E-4471 twice an hour "
        '(R&D build, <b>not</b> "beta").',
    )
    return case


def test_a_phrase_from_a_customers_message_finds_another_departments_case(
    agent_client, hardware_case, laptop
):
    html = found(agent_client, '"error E-4471"')

    assert row_for(hardware_case) in html
    assert row_for(laptop) not in html
    assert 'data-testid="passage"' in html
    passage = html[html.index('data-testid="passage"') :].split("</td>")[0]
    assert "shows <mark>error</mark> <mark>E-4471</mark> twice an hour" in passage
    # The passage is the customer's words as text, never markup.
    assert "R&amp;D" in passage
    assert "<b>" not in passage


@pytest.mark.embedded  # on SQLite the words are found as typed
def test_a_quoted_phrase_is_found_on_either_database(agent_client, hardware_case, laptop):
    html = found(agent_client, '"error E-4471"')

    assert row_for(hardware_case) in html
    assert row_for(laptop) not in html
    assert "E-4471</mark>" in html
    assert "R&amp;D" in html


def test_words_find_their_other_forms(agent_client, hardware_case):
    assert row_for(hardware_case) in found(agent_client, "firmware updates")


def test_the_description_is_searched_too(agent_client, laptop):
    html = found(agent_client, "battery fails")

    assert row_for(laptop) in html
    assert "<mark>battery</mark>" in html


def test_agents_find_internal_notes_marked_as_such(agent_client, laptop, agent):
    services.add_internal_note(case=laptop, acting_user=agent, body="Capacitor C12 is swollen.")

    html = found(agent_client, "swollen capacitor")

    assert row_for(laptop) in html
    assert "Internal</span>" in html and "<mark>swollen</mark>" in html


def test_a_customer_never_matches_an_internal_note(laptop, agent, customer):
    services.add_internal_note(case=laptop, acting_user=agent, body="Capacitor C12 is swollen.")

    assert list(selectors.search_cases(customer, "swollen capacitor")) == []
    assert [case.pk for case in selectors.search_cases(agent, "swollen capacitor")] == [laptop.pk]


def test_the_case_that_says_it_most_comes_first(agent_client, customer, agent):
    once = services.open_case(
        acting_user=agent, customer=customer, title="Printer jams", description=""
    )
    services.add_customer_message(case=once, acting_user=customer, body="The toner is low.")
    often = services.open_case(
        acting_user=agent, customer=customer, title="Copier smears", description=""
    )
    services.add_customer_message(
        case=often, acting_user=customer, body="Toner everywhere: toner on the pages, toner dust."
    )

    html = found(agent_client, "toner")

    assert html.index(row_for(often)) < html.index(row_for(once))
