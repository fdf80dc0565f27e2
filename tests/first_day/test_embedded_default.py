"""The pages a new user reaches first, also run on the embedded default (SQLite).

`make test` runs this file a second time with `DATABASE_URL` unset, so the SQLite the
demo uses answers the same as PostgreSQL: search by words, a reference and an
identifier; the case page; the portal's report form.
"""

import pytest
from django.urls import reverse

from cases import services
from tests.factories import AgentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def laptop(customer):
    return services.report_case(
        acting_user=customer,
        title="Laptop battery swells",
        description="The trackpad lifts on the left.",
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )


def search(client, query, **headers):
    return client.get(reverse("desk:search"), {"q": query}, **headers)


def test_search_by_words_finds_the_case(client, agent, laptop):
    client.force_login(agent)
    response = search(client, "battery")
    assert response.status_code == 200
    assert laptop.reference in response.text and "Laptop battery swells" in response.text


def test_search_by_an_identifier_finds_the_case(client, agent, laptop):
    client.force_login(agent)
    response = search(client, "5CD1234")
    assert response.status_code == 200
    assert laptop.reference in response.text


def test_search_by_the_customer_or_organisation_finds_the_case(client, agent, laptop):
    client.force_login(agent)
    for query in ("Alex Kim", "Acme"):
        response = search(client, query)
        assert response.status_code == 200
        assert laptop.reference in response.text


def test_a_typed_reference_opens_the_case(client, agent, laptop):
    client.force_login(agent)
    for typed in (laptop.reference, laptop.reference.lower(), f"C{laptop.pk}"):
        response = search(client, typed)
        assert response.status_code == 302
        assert response.url == reverse("desk:case", kwargs={"reference": laptop.reference})


def test_a_reference_typed_live_lists_the_case_without_leaving_the_page(client, agent, laptop):
    client.force_login(agent)
    response = search(
        client, laptop.reference, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert response.status_code == 200
    assert "Laptop battery swells" in response.text


def test_an_unknown_reference_says_nothing_matched(client, agent, laptop):
    client.force_login(agent)
    response = search(client, "C-999999")
    assert response.status_code == 200
    assert "Laptop battery swells" not in response.text


def test_the_case_page_shows_the_case(client, agent, laptop):
    client.force_login(agent)
    response = client.get(reverse("desk:case", kwargs={"reference": laptop.reference}))
    assert response.status_code == 200
    assert "Laptop battery swells" in response.text
    assert "The trackpad lifts on the left." in response.text


def test_the_portal_report_form_opens_a_case(client, customer):
    client.force_login(customer)
    form = client.get(reverse("portal:report"))
    assert form.status_code == 200
    assert "Up to 200 characters" in form.text

    response = client.post(
        reverse("portal:report"),
        {
            "title": "Docking station drops the screen",
            "description": "Every morning at nine.",
            "priority": "20",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Docking station drops the screen" in response.text
    assert "is with us" in response.text


def test_a_long_title_is_refused_with_the_limit_and_kept_whole(client, customer):
    client.force_login(customer)
    title = "The screen flickers " * 12  # 240 characters
    response = client.post(
        reverse("portal:report"),
        {"title": title, "description": "Since Monday.", "priority": "20"},
    )
    assert response.status_code == 422
    assert "Keep the title to 200 characters (this one has 239)" in response.text
    assert title.strip() in response.text  # nothing typed is lost
    assert 'maxlength="200"' not in response.text  # the browser does not cut it silently


def test_an_agent_of_another_department_is_not_told_the_case_changed(client, laptop, agent):
    # Not embedded-specific, but the first thing a second agent meets on the demo.
    other = AgentFactory(email="second@example.test", full_name="Sam Park")
    services.take_ownership(case=laptop, acting_user=agent, expected_version=laptop.version)
    client.force_login(other)
    response = client.post(
        reverse("desk:case_action", kwargs={"reference": laptop.reference, "action": "take"}),
        {"version": laptop.version},
    )
    assert response.status_code == 409
    assert "already owned by Dana Lee" in response.text
