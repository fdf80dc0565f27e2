"""Saved views: an agent keeps the filters and sort on screen under a name; it shows under
"My views" in their sidebar with its live count, opens as the filtered list, and is deleted
by its owner only. Nobody else ever sees it: the teammate gets a 404, and their sidebar
does not list it. The sidebar and the page cost the same number of queries whatever the
number of saved views or of cases."""

import re

import pytest

from cases.models import Priority, SavedView
from cases.services.saved_views import SAVED_VIEW_LIMIT
from tests.cases.test_desk_views import SIDEBAR_QUERIES, VIEW_QUERIES, count_of
from tests.cases.test_query_counts import SIZES
from tests.helpers import HTMX, bulk_cases, page_text, signed_in

pytestmark = pytest.mark.django_db

URGENT = f"priority={Priority.URGENT}"


@pytest.fixture
def floor(agent, teammate, customer, support):
    """Dana owns 3 urgent cases and 2 normal ones; Sam owns 1 urgent case."""
    bulk_cases(3, customer=customer, owner=agent, department=support,
               priority=Priority.URGENT, title="Urgent {i}")  # fmt: skip
    bulk_cases(2, customer=customer, owner=agent, department=support, title="Normal {i}")
    bulk_cases(1, customer=customer, owner=teammate, priority=Priority.URGENT, title="Sam's")


@pytest.fixture
def teammate_client(teammate):
    return signed_in(teammate)


def save(client, query: str, name: str, slug: str = "mine", **extra):
    return client.post(f"/desk/views/{slug}/save/?{query}", {"name": name}, **extra)


def titles(response) -> list[str]:
    return sorted(re.findall(r'<span title="([^"]+)">', response.text))


@pytest.fixture
def urgent(floor, agent_client) -> SavedView:
    """Dana's "Urgent first": her urgent cases, by title."""
    save(agent_client, f"{URGENT}&sort=title", "Urgent first")
    return SavedView.objects.get()


def test_it_offers_to_save_a_view_only_once_filtered_or_sorted(floor, agent_client):
    assert 'data-testid="save-view"' not in agent_client.get("/desk/views/mine/").text

    text = agent_client.get(f"/desk/views/mine/?{URGENT}").text
    assert f'action="/desk/views/mine/save/?{URGENT}"' in text
    assert '<label class="col-form-label col-form-label-sm" for="save-view-name">' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'data-testid="save-view"' in agent_client.get("/desk/views/mine/?sort=-title").text


def test_saving_keeps_the_view_and_opens_it(floor, agent, agent_client):
    response = save(agent_client, f"{URGENT}&sort=title", "  Urgent   first ", follow=True)

    saved = SavedView.objects.get()
    assert (saved.owner, saved.name, saved.base_view) == (agent, "Urgent first", "mine")
    assert saved.query == f"{URGENT}&sort=title"
    assert response.redirect_chain == [
        (f"/desk/views/mine/?{URGENT}&sort=title&saved={saved.pk}", 302)
    ]
    assert "Saved “Urgent first” under My views." in page_text(response)


def test_the_stored_query_is_normalised(floor, agent_client, hardware):
    save(
        agent_client,
        f"q=+dock++station&bogus=1&sort=title&department={hardware.pk}&priority=40"
        "&priority=30&priority=40&status=closed&page=3",
        "Docks",
    )

    assert SavedView.objects.get().query == (
        f"priority=30&priority=40&department={hardware.pk}&q=dock+station&sort=title"
    )


def test_a_saved_view_shows_in_the_sidebar_with_its_count(urgent, agent_client):
    response = agent_client.get(f"/desk/views/counts/?nav={urgent.nav}", headers=HTMX)

    assert "My views</h2>" in response.text
    assert count_of(response, urgent.nav) == "3"
    assert count_of(response, "mine") == "5"
    href = f"/desk/views/mine/?{URGENT}&amp;sort=title&amp;saved={urgent.pk}"
    assert f'aria-current="page" href="{href}"' in response.text
    # The built-in views come first, then mine, then the gap before the other pages.
    text = response.text
    assert text.index("<span>Unowned</span>") < text.index("My views") < text.index("sidebar-gap")


def test_opening_a_saved_view_shows_its_name_and_its_cases(urgent, agent_client):
    response = agent_client.get(urgent.get_absolute_url())

    assert re.search(r"<h1[^>]*><span hx-disable>Urgent first</span>", response.text)
    assert titles(response) == ["Urgent 0", "Urgent 1", "Urgent 2"]
    assert f'aria-current="page" href="{urgent.get_absolute_url().replace("&", "&amp;")}"' in (
        response.text
    )
    assert 'aria-current="page" href="/desk/views/mine/"' not in response.text
    assert "Delete this view" in response.text
    assert 'data-testid="save-view"' not in response.text  # it is saved as shown
    assert f'hx-get="/desk/views/counts/?nav={urgent.nav}"' in response.text
    # Sorting it again stays in it, and what is on screen may be saved under a new name.
    resorted = agent_client.get(f"/desk/views/mine/?{URGENT}&sort=-title&saved={urgent.pk}")
    assert "Urgent first</span>" in resorted.text
    assert f'action="/desk/views/mine/save/?{URGENT}&amp;sort=-title"' in resorted.text


def test_the_owner_deletes_a_saved_view(urgent, agent_client):
    response = agent_client.post(f"/desk/views/saved/{urgent.pk}/delete/", follow=True)

    assert not SavedView.objects.exists()
    assert response.redirect_chain == [("/desk/views/mine/", 302)]
    assert "Deleted your view “Urgent first”." in page_text(response)
    sidebar = agent_client.get("/desk/views/counts/", headers=HTMX)
    assert "My views" not in sidebar.text


def test_another_agent_can_neither_see_nor_delete_it(urgent, teammate_client):
    assert teammate_client.post(f"/desk/views/saved/{urgent.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=urgent.pk).exists()

    sidebar = teammate_client.get(f"/desk/views/counts/?nav={urgent.nav}", headers=HTMX)
    assert "Urgent first" not in sidebar.text and "My views" not in sidebar.text

    # Someone else's `saved=` is the plain view, filtered as its URL says.
    page = teammate_client.get(urgent.get_absolute_url())
    assert page.status_code == 200
    assert "Urgent first" not in page.text and "Delete this view" not in page.text
    assert '<h1 class="h4 mb-0">My cases' in page.text
    assert titles(page) == ["Sam&#x27;s"]


def test_a_duplicate_name_is_refused_with_the_name_kept(urgent, agent_client):
    response = save(agent_client, f"{URGENT}&sort=-title", "URGENT first")

    assert response.status_code == 422
    assert "You already have a view named “URGENT first”: choose another name." in page_text(
        response
    )
    assert 'name="name" value="URGENT first"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert titles(response) == ["Urgent 0", "Urgent 1", "Urgent 2"]  # the page as it was
    assert SavedView.objects.count() == 1


def test_a_person_keeps_at_most_twenty_views(floor, agent, agent_client):
    SavedView.objects.bulk_create(
        SavedView(owner=agent, name=f"View {i}", base_view="mine", query=f"q={i}")
        for i in range(SAVED_VIEW_LIMIT)
    )

    response = save(agent_client, URGENT, "One more")

    assert response.status_code == 422
    assert f"You already keep {SAVED_VIEW_LIMIT} views" in page_text(response)
    assert 'name="name" value="One more"' in response.text
    assert SavedView.objects.count() == SAVED_VIEW_LIMIT


def test_another_agent_has_views_of_their_own(urgent, teammate, teammate_client):
    """The limit and the names are each person's: Sam may name a view as Dana did."""
    save(teammate_client, URGENT, "Urgent first")

    assert SavedView.objects.filter(owner=teammate, name="Urgent first").exists()
    assert SavedView.objects.count() == 2


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("", "Everything", "Choose a filter or a sort first"),
        ("bogus=1&sort=nonsense", "Everything", "Choose a filter or a sort first"),
        (URGENT, "   ", "Name your view."),
        (URGENT, "x" * 61, "Keep the name to 60 characters."),
    ],
)
def test_a_view_needs_a_filter_and_a_name(floor, agent_client, query, name, message):
    response = save(agent_client, query, name)

    assert response.status_code == 422
    assert message in page_text(response)
    assert not SavedView.objects.exists()


def test_saving_is_for_agents_by_post_on_a_real_view(floor, agent_client, customer_client):
    assert agent_client.get(f"/desk/views/mine/save/?{URGENT}").status_code == 405
    assert save(agent_client, URGENT, "Nowhere", slug="everything").status_code == 404
    assert save(customer_client, URGENT, "Mine").status_code in (302, 403)
    assert agent_client.get("/desk/views/saved/1/delete/").status_code == 405
    assert not SavedView.objects.exists()


# --- Query counts: flat in saved views and in cases -------------------------------------


@pytest.fixture
def crowded(request, agent, customer, support):
    """`views` saved views of Dana's (on several views, with every kind of filter) and
    `cases` urgent cases of hers."""
    views, cases = request.param
    bulk_cases(cases, customer=customer, owner=agent, department=support,
               priority=Priority.URGENT)  # fmt: skip
    kinds = [
        ("mine", f"{URGENT}&sort=title"),
        ("breaching", "status=open"),
        ("unowned", f"department={support.pk}&q=laptop"),
        ("mine", f"organization={customer.organization_id}&q=C-000001"),
    ]
    saved = SavedView.objects.bulk_create(
        SavedView(owner=agent, name=f"View {i}", base_view=kinds[i % 4][0], query=kinds[i % 4][1])
        for i in range(views)
    )
    return saved, cases


SHAPES = [(1, SIZES[0]), (SAVED_VIEW_LIMIT, SIZES[0]), (SAVED_VIEW_LIMIT, SIZES[1])]


@pytest.mark.parametrize("crowded", SHAPES, indirect=True)
def test_the_sidebar_costs_the_same_with_more_views_and_cases(
    crowded, agent_client, django_assert_num_queries
):
    saved, cases = crowded

    with django_assert_num_queries(SIDEBAR_QUERIES):
        response = agent_client.get("/desk/views/counts/", headers=HTMX)

    assert all(f"<span>{view.name}</span>" in response.text for view in saved)
    assert count_of(response, saved[0].nav) == str(cases)


@pytest.mark.parametrize("crowded", SHAPES, indirect=True)
def test_a_saved_view_page_costs_the_same_with_more_views_and_cases(
    crowded, agent_client, django_assert_num_queries
):
    saved, cases = crowded

    with django_assert_num_queries(VIEW_QUERIES):
        response = agent_client.get(saved[0].get_absolute_url())

    assert "View 0</span>" in response.text
    assert f'data-testid="view-count">{cases}<' in response.text
    assert all(f"<span>{view.name}</span>" in response.text for view in saved)
