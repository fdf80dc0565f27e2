"""The desk's sidebar views: live counts, compact sortable lists whose query count does not
grow with the rows, and bulk actions on the selected rows through the same services."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, EntryKind, Priority, Status
from tests.cases.test_query_counts import SIZES, bulk_serials
from tests.helpers import HTMX, bulk_cases, entries, page_text

pytestmark = pytest.mark.django_db

# Session and user; the filter form's departments and organisations; the agent's saved
# views (the sidebar's, and the one shown); the cases' count, the page, identifiers; the
# agents for "assign to" and their departments.
VIEW_QUERIES = 10
# Session and user; the agent's saved views; one aggregate for the case views and every
# saved view; handoffs (with my departments), incidents, quarantined mail.
SIDEBAR_QUERIES = 7


def count_of(response, slug: str) -> str | None:
    found = re.search(rf'data-testid="count-{slug}">(\d+)<', response.text)
    return found.group(1) if found else None


@pytest.fixture
def floor(agent, teammate, customer, support):
    """Dana owns 3 open cases (one due within the hour), 2 waiting on the customer and 1
    awaiting confirmation; Sam owns 1; 4 are unowned."""
    soon = timezone.now() + timedelta(minutes=50)
    later = timezone.now() + timedelta(days=2)
    mine = bulk_cases(3, customer=customer, owner=agent, department=support, resolution_due=later)
    Case.objects.filter(pk=mine[0].pk).update(resolution_due=soon, title="Due soon")
    bulk_cases(
        2, customer=customer, owner=agent, department=support,
        status=Status.WAITING_ON_CUSTOMER, title="Waiting {i}",
    )  # fmt: skip
    bulk_cases(
        1, customer=customer, owner=agent, department=support,
        status=Status.PENDING_CONFIRMATION, title="Fixed {i}",
    )  # fmt: skip
    bulk_cases(1, customer=customer, owner=teammate, department=support, title="Sam's")
    return bulk_cases(4, customer=customer, title="Unowned {i}")


def test_the_sidebar_counts_every_view(floor, agent_client, django_assert_num_queries):
    with django_assert_num_queries(SIDEBAR_QUERIES):
        response = agent_client.get("/desk/views/counts/?nav=mine", headers=HTMX)

    assert response.text.lstrip().startswith('<ul class="nav flex-column" id="sidebar"')
    counts = {
        slug: count_of(response, slug)
        for slug in ("mine", "breaching", "waiting", "confirming", "unowned")
    }
    assert counts == {
        "mine": "6", "breaching": "1", "waiting": "2", "confirming": "1", "unowned": "4",
    }  # fmt: skip
    assert 'aria-current="page" href="/desk/views/mine/"' in response.text


def test_every_desk_page_draws_the_sidebar_and_fetches_its_counts(agent_client):
    page = agent_client.get("/desk/").text

    assert 'aria-label="Views"' in page
    assert 'hx-get="/desk/views/counts/?nav=dashboard"' in page
    assert 'hx-trigger="load, every 30s"' in page
    for label in ("My cases", "Breaching soon", "Waiting on the customer", "Unowned", "Team"):
        assert f"<span>{label}</span>" in page


@pytest.mark.parametrize(
    ("slug", "titles"),
    [
        ("breaching", ["Due soon"]),
        ("waiting", ["Waiting 0", "Waiting 1"]),
        ("confirming", ["Fixed 0"]),
        ("unowned", ["Unowned 0", "Unowned 1", "Unowned 2", "Unowned 3"]),
    ],
)
def test_each_view_lists_its_cases(floor, agent_client, slug, titles):
    response = agent_client.get(f"/desk/views/{slug}/")

    rows = re.findall(r'<span title="([^"]+)">', response.text)
    assert sorted(rows) == titles
    assert f'data-testid="view-count">{len(titles)}<' in response.text


def test_columns_sort_both_ways(agent, customer, support, agent_client):
    for title, priority in (("Low one", Priority.LOW), ("Urgent one", Priority.URGENT)):
        bulk_cases(1, customer=customer, owner=agent, department=support, title=title,
                   priority=priority)  # fmt: skip

    def order(sort):
        text = agent_client.get(f"/desk/views/mine/?sort={sort}").text
        return re.findall(r'<span title="([^"]+)">', text)

    assert order("priority") == ["Low one", "Urgent one"]
    assert order("-priority") == ["Urgent one", "Low one"]
    assert order("nonsense") == order("due")  # an unknown sort falls back to the view's
    assert 'aria-sort="descending"' in agent_client.get("/desk/views/mine/?sort=-priority").text


def test_an_unknown_view_is_not_found(agent_client):
    assert agent_client.get("/desk/views/everything/").status_code == 404


def test_customers_have_no_views(customer_client):
    response = customer_client.get("/desk/views/mine/")
    assert response.status_code in (302, 403)


@pytest.fixture
def many(request, agent, customer, support):
    n = request.param
    bulk_serials(bulk_cases(n, customer=customer, owner=agent, department=support))
    return n


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_a_view_costs_the_same_at_any_size(many, agent_client, django_assert_num_queries):
    with django_assert_num_queries(VIEW_QUERIES):
        response = agent_client.get("/desk/views/mine/")

    assert f'data-testid="view-count">{many}<' in response.text
    assert response.text.count('name="cases"') == min(many, 50)


def test_bulk_take_says_what_was_taken_and_what_was_refused(floor, agent, teammate, agent_client):
    taken_meanwhile = floor[3]  # Sam took it while Dana was choosing
    Case.objects.filter(pk=taken_meanwhile.pk).update(
        owner=teammate, status=Status.OPEN, first_owned_at=timezone.now()
    )
    chosen = [c.reference for c in floor]

    response = agent_client.post(
        "/desk/views/bulk/",
        {"action": "take", "cases": chosen, "next": "/desk/views/unowned/"},
        follow=True,
    )

    text = page_text(response)
    assert f"Taken: {', '.join(chosen[:3])}." in text
    assert f"Not changed: {chosen[3]}:" in text
    assert Case.objects.filter(pk__in=[c.pk for c in floor[:3]], owner=agent).count() == 3
    assert entries(floor[0], EntryKind.OWNERSHIP_CHANGE)
    assert response.redirect_chain[-1][0] == "/desk/views/unowned/"


def test_bulk_close_needs_a_reason_and_then_closes_each(floor, agent, agent_client):
    mine = list(Case.objects.filter(owner=agent, status=Status.OPEN).order_by("pk"))[:2]
    chosen = [c.reference for c in mine]

    refused = agent_client.post(
        "/desk/views/bulk/", {"action": "close", "cases": chosen}, follow=True
    )
    assert "Say why the selected cases close" in page_text(refused)
    assert not Case.objects.filter(pk__in=[c.pk for c in mine], status=Status.CLOSED).exists()

    agent_client.post(
        "/desk/views/bulk/",
        {"action": "close", "cases": chosen, "reason": "Duplicates of C-000001."},
    )
    assert Case.objects.filter(pk__in=[c.pk for c in mine], status=Status.CLOSED).count() == 2


def test_bulk_assign_and_priority_go_through_the_services(floor, agent, teammate, agent_client):
    mine = list(Case.objects.filter(owner=agent, status=Status.OPEN).order_by("pk"))[:2]
    chosen = [c.reference for c in mine]

    agent_client.post(
        "/desk/views/bulk/", {"action": "priority", "cases": chosen, "priority": Priority.HIGH}
    )
    agent_client.post("/desk/views/bulk/", {"action": "assign", "cases": chosen, "to": teammate.pk})

    for case in mine:
        case.refresh_from_db()
        assert case.priority == Priority.HIGH and case.owner == teammate
        assert entries(case, EntryKind.PRIORITY_CHANGE)


def test_a_customer_cannot_act_in_bulk(new_case, customer_client):
    response = customer_client.post(
        "/desk/views/bulk/", {"action": "take", "cases": [new_case.reference]}
    )
    new_case.refresh_from_db()
    assert response.status_code in (302, 403) and new_case.owner is None


def test_an_unknown_reference_is_reported_not_lost(agent_client):
    response = agent_client.post(
        "/desk/views/bulk/", {"action": "take", "cases": ["C-999999"]}, follow=True
    )
    assert "Not changed: C-999999: not found" in page_text(response)


def test_bulk_is_post_only(agent_client):
    assert agent_client.get("/desk/views/bulk/").status_code == 405
