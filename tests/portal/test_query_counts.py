"""The portal's case list and case page cost the same number of queries at 10 rows as at
1,000: the count is pinned, and each test runs at both sizes."""

import pytest
from django.utils import timezone

from cases.models import EntryKind, Status, TimelineEntry, Visibility
from tests.helpers import HTMX, bulk_cases, bulk_files, portal_url

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]

# Session, user, the user's organisation (who sees what), count, the known-issue banner,
# page.
HOME_QUERIES = 6
# Session, user, organisation, the case (with owner, department and incident), its
# identifiers, open handoffs with a customer summary, entries (with actors and
# departments), their files, the known-issue banner; and the earlier entries' count when
# the history is longer than a page.
CASE_PAGE_QUERIES = 9
# Session, user, organisation, the case, its identifiers, newer entries, their files.
TIMELINE_POLL_QUERIES = 7


@pytest.fixture
def many_cases(request, customer, agent, support):
    """`n` open cases owned by Dana and `n` closed ones, for Alex, in one insert each."""
    n = request.param
    now = timezone.now()
    for status in (Status.OPEN, Status.CLOSED):
        bulk_cases(
            n,
            customer=customer,
            owner=agent,
            department=support,
            status=status,
            closed_at=now if status == Status.CLOSED else None,
            eta=now + timezone.timedelta(days=2),
        )
    return n


@pytest.mark.parametrize("many_cases", SIZES, indirect=True)
def test_my_cases_query_count_is_flat(customer_client, many_cases, django_assert_num_queries):
    with django_assert_num_queries(HOME_QUERIES):
        response = customer_client.get("/portal/")

    assert response.status_code == 200
    assert response.content.decode().count("Owned by Dana Lee, Support") == 20
    assert "Next from us by" in response.content.decode()


@pytest.fixture
def long_timeline(request, owned_case, agent, customer):
    """`n` entries: replies, internal notes and customer messages, the last three with a
    file each."""
    n = request.param
    kinds = [
        (EntryKind.AGENT_REPLY, Visibility.PUBLIC, agent),
        (EntryKind.INTERNAL_NOTE, Visibility.INTERNAL, agent),
        (EntryKind.CUSTOMER_MESSAGE, Visibility.PUBLIC, customer),
    ]
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=owned_case,
            kind=kinds[i % 3][0],
            visibility=kinds[i % 3][1],
            actor=kinds[i % 3][2],
            department=agent.departments.first() if kinds[i % 3][2] == agent else None,
            body=f"Update {i}",
            body_html=f"<p>Update {i}</p>",
        )
        for i in range(n)
    )
    bulk_files([e for e in entries if e.visibility == Visibility.PUBLIC][-3:])
    return entries


@pytest.mark.parametrize("long_timeline", SIZES, indirect=True)
def test_case_page_query_count_is_flat(
    customer_client, owned_case, long_timeline, django_assert_num_queries
):
    with django_assert_num_queries(CASE_PAGE_QUERIES + (len(long_timeline) > 100)):
        response = customer_client.get(portal_url(owned_case))

    assert response.status_code == 200
    body = response.content.decode()
    n = len(long_timeline)
    last_public = max(i for i in range(n) if i % 3 != 1)
    last_internal = max(i for i in range(n) if i % 3 == 1)
    assert f"Update {last_public}<" in body
    assert f"Update {last_internal}<" not in body  # an internal note
    assert body.count("📎") == 3
    if n > 100:
        public = sum(1 for i in range(n) if i % 3 != 1) + 3  # and the case's own entries
        assert f"Show {public - 100} earlier" in body
    assert "Your case is owned by <strong>Dana Lee</strong>, Support." in body


@pytest.mark.parametrize("long_timeline", SIZES, indirect=True)
def test_timeline_poll_query_count_is_flat(
    customer_client, owned_case, long_timeline, django_assert_num_queries
):
    with django_assert_num_queries(TIMELINE_POLL_QUERIES):
        response = customer_client.get(
            portal_url(owned_case, "timeline/"), {"after": long_timeline[-5].pk}, headers=HTMX
        )

    assert response.status_code == 200
    assert f"Update {len(long_timeline) - 1}" in response.content.decode()
