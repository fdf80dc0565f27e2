"""Known issues in the portal: the banner and the incident page only for the organisations
an incident affects, and a customer attaching a new case to a known issue."""

import pytest

from cases.models import Case, EntryKind, Incident, Priority, TimelineEntry, Visibility
from cases.services import incidents
from tests.helpers import HTMX, OUTAGE_TITLE, page_text, portal_url

pytestmark = pytest.mark.django_db

PUBLIC_NEWS = "We identified the cause in release 4.2; a fix is being tested."
INTERNAL_NEWS = "The session store migration in 4.2 is to blame; rollback planned."


def report_form(title: str, **extra) -> dict:
    return {
        "title": title,
        "description": "Our users get an error page right after signing in.",
        "priority": Priority.NORMAL,
        **extra,
    }


def test_banner_only_for_affected_organisations(outage, customer_client, outsider_client):
    for url in ("/portal/", "/portal/cases/new/", "/portal/settings/"):
        affected = page_text(customer_client.get(url))
        assert f"Known issue: {OUTAGE_TITLE} (investigating)" in affected, url
        unaffected = page_text(outsider_client.get(url))
        assert "Known issue" not in unaffected, url
        assert OUTAGE_TITLE not in unaffected, url


def test_banner_for_everyone_when_an_incident_affects_every_organisation(
    agent, outage, outsider_client
):
    everyone = incidents.open_incident(
        acting_user=agent, title="Email delivery delayed", affects_all=True
    )

    page = page_text(outsider_client.get("/portal/"))

    assert f"Known issue: {everyone.title}" in page
    assert OUTAGE_TITLE not in page


def test_banner_goes_when_the_incident_is_resolved(agent, outage, customer_client):
    incidents.post_update(
        incident=outage, acting_user=agent, body="Fixed.", public=True, status="resolved"
    )

    assert "Known issue" not in page_text(customer_client.get("/portal/"))


def test_incident_page_404_for_unaffected_customer(
    agent, outage, outage_cases, customer_client, outsider_client
):
    incidents.post_update(incident=outage, acting_user=agent, body=PUBLIC_NEWS, public=True)
    incidents.post_update(incident=outage, acting_user=agent, body=INTERNAL_NEWS, public=False)
    url = f"/portal/incidents/{outage.pk}/"

    assert outsider_client.get(url).status_code == 404
    assert outsider_client.get(f"/portal/incidents/{outage.pk + 1000}/").status_code == 404

    response = customer_client.get(url)
    assert response.status_code == 200
    page = page_text(response)
    assert OUTAGE_TITLE in page
    assert "Since release 4.2, signing in to the web program can end on an error." in page
    assert PUBLIC_NEWS in page
    assert INTERNAL_NEWS not in page
    assert f"Your cases linked to it: {outage_cases[0].reference}" in page
    for other in outage_cases[1:]:
        assert other.reference not in page  # other organisations' cases stay theirs


def test_customer_can_attach_new_case_to_known_issue(outage, customer, customer_client):
    similar = customer_client.get(
        "/portal/cases/similar/", {"title": "Error page after sign in to the web program"}, **HTMX
    )
    assert similar.status_code == 200
    assert "Are you affected by this?" in page_text(similar)
    assert f'name="incident" value="{outage.pk}"' in similar.content.decode()

    response = customer_client.post(
        "/portal/cases/new/",
        report_form("Error page after sign in to the web program", incident=outage.pk),
    )

    case = Case.objects.filter(customer=customer).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == portal_url(case)
    assert case.incident == outage
    link = TimelineEntry.objects.get(case=case, kind=EntryKind.INCIDENT_LINK)
    assert link.visibility == Visibility.PUBLIC
    assert link.actor == customer
    page = page_text(customer_client.get(response["Location"]))
    assert f"Your case is linked to a known problem: {OUTAGE_TITLE}" in page


def test_unaffected_customer_is_not_offered_nor_attached_to_the_incident(
    outage, outsider, outsider_client
):
    similar = outsider_client.get(
        "/portal/cases/similar/", {"title": "Error page after sign in to the web program"}, **HTMX
    )
    assert similar.status_code == 200
    assert OUTAGE_TITLE not in page_text(similar)
    assert 'name="incident"' not in similar.content.decode()

    response = outsider_client.post(
        "/portal/cases/new/",
        report_form("Error page after sign in to the web program", incident=outage.pk),
    )

    assert response.status_code == 302
    case = Case.objects.get(customer=outsider)
    assert case.incident is None
    assert outsider.organization not in Incident.objects.get(pk=outage.pk).organizations.all()


def test_resolved_incident_is_not_offered_to_new_reports(agent, outage, customer_client):
    incidents.post_update(
        incident=outage, acting_user=agent, body="Fixed.", public=True, status="resolved"
    )

    similar = customer_client.get(
        "/portal/cases/similar/", {"title": "Error page after sign in to the web program"}, **HTMX
    )

    assert 'name="incident"' not in similar.content.decode()


def test_known_issue_offered_even_when_other_organisations_have_closer_matches(
    agent, outage, other_organization, customer_client
):
    for n in range(5):
        other = incidents.open_incident(
            acting_user=agent, title=f"Error page after sign in to the web program ({n})"
        )
        other.organizations.add(other_organization)

    similar = customer_client.get(
        "/portal/cases/similar/", {"title": "Error page after sign in to the web program"}, **HTMX
    )

    assert f'name="incident" value="{outage.pk}"' in similar.content.decode()
