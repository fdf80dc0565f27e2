"""Incidents on the desk: opened in one click from a case's similar cases, its page and
posting an update cost the same number of queries at 10 and at 1,000 linked cases, and the
fan-out is left to the task."""

import re

import pytest

from cases import tasks
from cases.models import Case, EntryKind, Incident, IncidentUpdate, TimelineEntry, Visibility
from cases.services import incidents
from notifications.models import Notice
from tests.helpers import OUTAGE_CASE, OUTAGE_TITLE, bulk_cases, desk_url, page_text

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]

# Session and user (2); the incident; linked-case count, their organisations, the page of
# linked cases (with customer, organisation, owner, department); the updates with authors.
INCIDENT_PAGE_QUERIES = 7
# Session and user (2); the incident; then post_update's transaction (a savepoint in the
# test's transaction): lock the incident, insert the update, save the incident, release.
POST_UPDATE_QUERIES = 8
# Session and user (2); the incidents' count, the page of incidents with their authors.
INCIDENT_LIST_QUERIES = 4


def test_one_click_incident_from_similar_cases(agent_client, outage_cases, organization):
    first = outage_cases[0]
    panel = agent_client.get(desk_url(first, "similar/"))
    assert "2 other customers reported something similar" in page_text(panel)
    refs = re.findall(r'name="cases" value="([^"]+)"', panel.content.decode())
    assert sorted(refs) == sorted(case.reference for case in outage_cases)

    form = agent_client.get("/desk/incidents/new/", {"cases": refs})
    assert form.status_code == 200
    for case in outage_cases:
        assert case.reference in page_text(form)

    response = agent_client.post(
        "/desk/incidents/new/", {"cases": refs, "title": OUTAGE_TITLE, "cause": "Release 4.2"}
    )

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/incidents/{incident.pk}/"
    assert set(incident.cases.all()) == set(outage_cases)
    assert set(incident.organizations.all()) == {case.organization for case in outage_cases}
    for case in outage_cases:
        link = TimelineEntry.objects.get(case=case, kind=EntryKind.INCIDENT_LINK)
        assert link.visibility == Visibility.PUBLIC
    page = page_text(agent_client.get(response["Location"]))
    assert "Incident opened with 3 linked case(s)." in page
    assert "Affects Acme, Initech, Umbrella" in page


def test_customers_cannot_open_incidents(client, customer, outage_cases):
    client.force_login(customer)

    response = client.post(
        "/desk/incidents/new/",
        {"cases": [c.reference for c in outage_cases], "title": "Mine"},
    )

    assert response.status_code == 403
    assert not Incident.objects.exists()
    assert not Case.objects.filter(incident__isnull=False).exists()


def test_customers_cannot_post_updates_through_the_desk(client, customer, outage):
    client.force_login(customer)

    response = client.post(
        f"/desk/incidents/{outage.pk}/updates/", {"body": "All fixed!", "public": "1"}
    )

    assert response.status_code == 403
    assert not outage.updates.exists()


@pytest.mark.parametrize("n", SIZES)
def test_incident_page_query_count(
    n, agent_client, agent, support, customer, outage, django_assert_num_queries
):
    bulk_cases(
        n, customer=customer, owner=agent, department=support, incident=outage, **OUTAGE_CASE
    )
    incidents.post_update(incident=outage, acting_user=agent, body="Investigating.", public=True)
    incidents.post_update(incident=outage, acting_user=agent, body="Internal.", public=False)

    with django_assert_num_queries(INCIDENT_PAGE_QUERIES):
        response = agent_client.get(f"/desk/incidents/{outage.pk}/")

    assert response.status_code == 200
    page = page_text(response)
    assert f"Linked cases {n + 3}" in page
    assert "Investigating." in page and "Internal." in page


@pytest.mark.parametrize("n", SIZES)
def test_posting_an_update_is_one_request_and_leaves_the_fan_out_to_the_task(
    n,
    agent_client,
    agent,
    customer,
    outage,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    bulk_cases(n, customer=customer, incident=outage, **OUTAGE_CASE)
    linked = n + 3

    with django_capture_on_commit_callbacks() as enqueued:
        with django_assert_num_queries(POST_UPDATE_QUERIES):
            response = agent_client.post(
                f"/desk/incidents/{outage.pk}/updates/",
                {"body": "A fix is being tested.", "public": "1", "status": "identified"},
            )
        assert not TimelineEntry.objects.filter(kind=EntryKind.INCIDENT_UPDATE).exists()

    assert response.status_code == 302
    assert len(enqueued) == 1  # the fan-out task, sent after commit
    update = IncidentUpdate.objects.get()
    assert update.fanned_out_at is None
    assert not TimelineEntry.objects.filter(kind=EntryKind.INCIDENT_UPDATE).exists()
    page = page_text(agent_client.get(f"/desk/incidents/{outage.pk}/"))
    assert "Update posted; every linked case receives it." in page
    assert "delivering…" in page

    tasks.fan_out_incident_update(update.pk)

    entries = TimelineEntry.objects.filter(kind=EntryKind.INCIDENT_UPDATE, data__update=update.pk)
    assert entries.count() == linked
    assert entries.values("case").distinct().count() == linked
    update.refresh_from_db()
    assert update.fanned_out_at is not None
    assert "delivering…" not in page_text(agent_client.get(f"/desk/incidents/{outage.pk}/"))


def test_agent_links_and_unlinks_a_case_from_its_page(
    agent_client, agent, outage, outsider, other_organization
):
    from cases import services

    case = services.open_case(
        acting_user=agent, customer=outsider, title="Web program error", description="Error."
    )

    response = agent_client.post(desk_url(case, "incident/"), {"incident": outage.pk})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.incident == outage
    assert other_organization in outage.organizations.all()
    assert Notice.objects.filter(recipient=outsider, kind=EntryKind.INCIDENT_LINK).count() == 1

    agent_client.post(desk_url(case, "incident/"), {})

    case.refresh_from_db()
    assert case.incident is None
    unlinked = TimelineEntry.objects.filter(case=case, kind=EntryKind.INCIDENT_LINK).last()
    assert unlinked.visibility == Visibility.INTERNAL
    assert unlinked.data["unlinked"] is True


@pytest.mark.parametrize("n", SIZES)
def test_incident_list_query_count(n, agent_client, agent, django_assert_num_queries):
    Incident.objects.bulk_create(
        Incident(title=f"Known problem {i}", created_by=agent) for i in range(n)
    )

    with django_assert_num_queries(INCIDENT_LIST_QUERIES):
        response = agent_client.get("/desk/incidents/")

    assert response.status_code == 200
    assert "Known problem" in page_text(response)
