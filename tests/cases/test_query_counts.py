"""Every list, dashboard, search and timeline costs the same number of queries at 10 rows as
at 1,000: the count is pinned, and each test runs at both sizes."""

import pytest

from cases.models import Case, CustomerIdentifier
from cases.selectors import SEARCH_LIMIT
from tests.helpers import HTMX, bulk_cases, bulk_timeline, desk_url

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]

# Each count starts with the session and the signed-in user (2 queries).
# My cases and the triage queue: count and page each, and the identifiers of both pages'
# cases (one query); the calls to make.
DASHBOARD_QUERIES = 8
TRIAGE_FRAGMENT_QUERIES = 8
# The direct matches (one UNION) and those visible, newest first; what the cases say
# (entries, descriptions; the ones visible only when some match); the page, its
# identifiers, the passages that matched (entries, then descriptions).
SEARCH_QUERIES = 10
# Case, identifiers, handoffs, ownership history, entries, files, the departments to ask
# for a handoff, what the customer heard and the open call task. A history longer than a
# page counts the entries before it (one more); the agent's departments are read only for a
# case with handoffs, the agents to transfer to only when the transfer panel opens.
CASE_PAGE_QUERIES = 11
# Case, identifiers, newer entries, their files.
TIMELINE_POLL_QUERIES = 6


def bulk_serials(cases: list[Case]) -> None:
    """A serial number on each case, in one insert."""
    CustomerIdentifier.objects.bulk_create(
        CustomerIdentifier(case=case, name="Serial number", value=f"SN-{case.pk}") for case in cases
    )


@pytest.fixture
def many_cases(request, agent, customer, support):
    n = request.param
    bulk_serials(bulk_cases(n, customer=customer, owner=agent, department=support))
    bulk_serials(bulk_cases(n, customer=customer))
    return n


@pytest.mark.parametrize("many_cases", SIZES, indirect=True)
def test_dashboard_query_count_is_flat(agent_client, many_cases, django_assert_num_queries):
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = agent_client.get("/desk/")

    assert f'data-testid="mine-count">{many_cases}<' in response.text
    assert f'data-testid="triage-count">{many_cases}<' in response.text
    assert response.text.count("Take ownership<span") == min(many_cases, 25)


@pytest.mark.parametrize("many_cases", SIZES, indirect=True)
def test_triage_fragment_query_count_is_flat(agent_client, many_cases, django_assert_num_queries):
    with django_assert_num_queries(TRIAGE_FRAGMENT_QUERIES):
        response = agent_client.get("/desk/", headers=HTMX)

    assert response.text.lstrip().startswith('<div id="queues"')
    assert f'data-testid="triage-count">{many_cases}<' in response.text


@pytest.mark.parametrize("many_cases", SIZES, indirect=True)
def test_search_query_count_is_flat(agent_client, many_cases, django_assert_num_queries):
    with django_assert_num_queries(SEARCH_QUERIES):
        response = agent_client.get("/desk/search/", {"q": "will not charge"})

    if 2 * many_cases < SEARCH_LIMIT:
        assert f"{2 * many_cases} cases found" in response.text
    else:
        assert f"At least {SEARCH_LIMIT} cases found" in response.text
    assert "Dana Lee" in response.text  # the owner column


@pytest.fixture
def long_timeline(request, owned_case, agent, teammate):
    return bulk_timeline(owned_case, request.param, agent=agent, teammate=teammate)


@pytest.mark.parametrize("long_timeline", SIZES, indirect=True)
def test_case_page_query_count_is_flat(
    agent_client, owned_case, long_timeline, django_assert_num_queries
):
    longer_than_a_page = len(long_timeline) > 100
    with django_assert_num_queries(CASE_PAGE_QUERIES + longer_than_a_page):
        response = agent_client.get(desk_url(owned_case))

    assert f"Update {len(long_timeline) - 1}" in response.text
    assert response.text.count("📎") == 3
    assert ("earlier entries" in response.text) == longer_than_a_page


@pytest.mark.parametrize("long_timeline", SIZES, indirect=True)
def test_timeline_poll_query_count_is_flat(
    agent_client, owned_case, long_timeline, django_assert_num_queries
):
    after = long_timeline[-6].pk

    with django_assert_num_queries(TIMELINE_POLL_QUERIES):
        response = agent_client.get(desk_url(owned_case, f"timeline/?after={after}"), headers=HTMX)

    assert response.text.count('class="timeline-entry') == 5
    assert f"?after={long_timeline[-1].pk}" in response.text
