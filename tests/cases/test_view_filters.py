"""Filters in the URL of every desk view: priority, status, owning department, organisation
and words of the title or a reference narrow the list, show in the form, survive sorting
and paging, and a value that does not parse is ignored, never an error."""

import re

import pytest

from cases.models import Case, Priority, Status
from tests.factories import CustomerFactory
from tests.helpers import bulk_cases

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return sorted(re.findall(r'<span title="([^"]+)">', response.text))


@pytest.fixture
def spread(agent, customer, other_organization, support, hardware):
    """Dana owns five cases that differ in one way each from "Plain": an urgent one, one
    waiting on the customer, one Hardware owns, one of Globex one, and one about a dock."""
    globex = CustomerFactory(full_name="Pat Globex", organization=other_organization)
    common = {"customer": customer, "owner": agent, "department": support}
    bulk_cases(1, **common, title="Plain")
    bulk_cases(1, **common, title="Urgent", priority=Priority.URGENT)
    bulk_cases(1, **common, title="Waiting", status=Status.WAITING_ON_CUSTOMER)
    bulk_cases(1, customer=customer, owner=agent, department=hardware, title="Hardware one")
    bulk_cases(1, customer=globex, owner=agent, department=support, title="Globex one")
    return {case.title: case for case in bulk_cases(1, **common, title="Dock flickers")}


def test_each_filter_narrows_the_list(spread, agent_client, support, hardware, other_organization):
    def listed(query: str) -> list[str]:
        return titles(agent_client.get(f"/desk/views/mine/?{query}"))

    everything = ["Dock flickers", "Globex one", "Hardware one", "Plain", "Urgent", "Waiting"]
    assert listed("") == everything
    assert listed(f"priority={Priority.URGENT}") == ["Urgent"]
    assert listed(f"priority={Priority.URGENT}&priority={Priority.NORMAL}") == everything
    assert listed("status=waiting_on_customer") == ["Waiting"]
    assert listed(f"department={hardware.pk}") == ["Hardware one"]
    assert listed(f"organization={other_organization.pk}") == ["Globex one"]
    assert listed("q=DOCK") == ["Dock flickers"]
    assert listed(f"q={spread['Dock flickers'].reference}") == ["Dock flickers"]
    assert listed(f"department={support.pk}&q=o") == ["Dock flickers", "Globex one"]


def test_the_form_shows_the_filters_applied(spread, agent_client, hardware, other_organization):
    response = agent_client.get(
        f"/desk/views/mine/?priority={Priority.URGENT}&status=open&department={hardware.pk}"
        f"&organization={other_organization.pk}&q=dock&sort=-title"
    )

    text = response.text
    assert re.search(rf'name="priority" value="{Priority.URGENT}" checked', text)
    assert not re.search(rf'name="priority" value="{Priority.LOW}" checked', text)
    assert '<option value="open" selected>' in text
    assert f'<option value="{hardware.pk}" selected>Hardware</option>' in text
    assert f'<option value="{other_organization.pk}" selected>Globex</option>' in text
    assert 'id="filter-q" name="q" value="dock"' in text
    assert '<input type="hidden" name="sort" value="-title">' in text  # Apply keeps the sort
    assert '<label class="col-form-label col-form-label-sm" for="filter-status">' in text
    assert 'href="/desk/views/mine/?sort=-title">Clear</a>' in text
    assert "No case of this view matches these filters." in text


def test_closed_is_no_status_to_filter_by(agent_client):
    text = agent_client.get("/desk/views/mine/").text

    assert '<option value="waiting_on_customer">' in text
    assert '<option value="closed"' not in text


def test_sort_links_keep_the_filters(spread, agent_client, hardware):
    text = agent_client.get(f"/desk/views/mine/?department={hardware.pk}&sort=title").text

    assert f'href="?department={hardware.pk}&amp;sort=-title"' in text  # the column sorted
    assert f'href="?department={hardware.pk}&amp;sort=priority"' in text


def test_the_pager_keeps_the_filters(agent, customer, support, agent_client):
    bulk_cases(60, customer=customer, owner=agent, department=support, priority=Priority.HIGH)
    bulk_cases(5, customer=customer, owner=agent, department=support, priority=Priority.LOW)

    first = agent_client.get(f"/desk/views/mine/?priority={Priority.HIGH}&sort=created")
    assert 'data-testid="view-count">60<' in first.text
    next_page = f"?priority={Priority.HIGH}&amp;sort=created&amp;page=2"
    assert f'href="{next_page}">Next</a>' in first.text

    second = agent_client.get(f"/desk/views/mine/{next_page.replace('&amp;', '&')}")
    assert second.text.count('name="cases"') == 10
    assert f'href="?priority={Priority.HIGH}&amp;sort=created&amp;page=1">Previous' in second.text


@pytest.mark.parametrize(
    "query",
    [
        "priority=abc&priority=99&priority=-1",
        "status=closed&status=nonsense",
        "department=x&department=999999",
        "organization=%C2%B2&organization=99999999999999999999",
        "q=" + "%20" * 5,
        "sort=bogus&page=zz&saved=abc",
    ],
)
def test_values_that_do_not_parse_are_ignored(spread, agent_client, query):
    response = agent_client.get(f"/desk/views/mine/?{query}")

    assert response.status_code == 200
    assert len(titles(response)) == 6
    form = response.text.split('data-testid="filters"')[1].split("</form>")[0]
    assert " selected>" not in form and " checked>" not in form


def test_long_words_are_cut_not_refused(spread, agent_client):
    response = agent_client.get("/desk/views/mine/", {"q": "Dock" + "x" * 5000})

    assert response.status_code == 200
    assert f'name="q" value="Dock{"x" * 96}"' in response.text


def test_a_filter_never_widens_a_view(spread, new_case, agent_client):
    """Unowned stays unowned: a filter narrows the view, it does not replace it."""
    assert titles(agent_client.get("/desk/views/mine/?q=laptop")) == []
    assert titles(agent_client.get("/desk/views/unowned/?q=laptop")) == [new_case.title]
    assert Case.objects.count() == 7
