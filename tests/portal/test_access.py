"""Who reaches what in the portal: a customer sees their organisation's cases (or only their
own, when the organisation says so), never another organisation's, by any URL; agents may
look as customers do but never act as one."""

import pytest

from cases import services
from cases.models import Attachment, Case, CustomerIdentifier, Satisfaction, Status, TimelineEntry
from tests.factories import CustomerFactory
from tests.helpers import HTMX, fresh, page_text, portal_url, upload

pytestmark = pytest.mark.django_db

SECRET_WORDS = ["Laptop will not power on", "Power supply and battery both fail", "5CD1234XYZ"]


@pytest.fixture
def acme_case(owned_case, customer, agent) -> Case:
    """Alex's case with a reply, a file from Alex and a proposed fix waiting for an answer."""
    services.add_customer_message(
        case=owned_case,
        acting_user=customer,
        body="Photo of the charger light attached.",
        files=[upload("charger.png", b"\x89PNG...", "image/png")],
    )
    return services.propose_resolution(
        case=owned_case, acting_user=agent, body="New charger sent.", expected_version=None
    )


def portal_requests(case: Case) -> list[tuple[str, str, dict]]:
    """Every portal URL of one case, with a plausible body for each action."""
    attachment = Attachment.objects.filter(case=case).first()
    identifier = CustomerIdentifier.objects.filter(case=case).first()
    return [
        ("get", portal_url(case), {}),
        ("get", portal_url(case, "timeline/"), {"after": "0"}),
        ("get", portal_url(case, "timeline/"), {"before": "999999"}),
        ("post", portal_url(case, "reply/"), {"body": "Let me in"}),
        ("post", portal_url(case, "confirm/"), {}),
        ("post", portal_url(case, "still-broken/"), {"body": "Still broken"}),
        ("post", portal_url(case, "rate/"), {"rating": "1"}),
        ("post", portal_url(case, "identifiers/"), {"name": "Order ID", "value": "X-1"}),
        ("post", portal_url(case, f"identifiers/{identifier.pk}/remove/"), {}),
        ("get", portal_url(case, f"attachments/{attachment.pk}/"), {}),
    ]


def _request(client, method: str, url: str, data: dict, **kwargs):
    return getattr(client, method)(url, data, **kwargs)


def test_other_org_case_is_404(client, acme_case, outsider):
    client.force_login(outsider)
    entries_before = TimelineEntry.objects.filter(case=acme_case).count()

    for method, url, data in portal_requests(acme_case):
        for headers in ({}, HTMX):
            response = _request(client, method, url, data, headers=headers)
            assert response.status_code == 404, (method, url, headers)
            body = response.content.decode()
            for words in [*SECRET_WORDS, "New charger sent", "charger.png", "Dana Lee"]:
                assert words not in body, (url, words)

    case = fresh(acme_case)
    assert case.status == Status.PENDING_CONFIRMATION
    assert TimelineEntry.objects.filter(case=case).count() == entries_before
    assert CustomerIdentifier.objects.filter(case=case).count() == 1
    assert not Satisfaction.objects.exists()


def test_other_orgs_cases_are_not_in_my_list_or_suggestions(client, acme_case, outsider):
    client.force_login(outsider)

    home = page_text(client.get("/portal/"))
    similar = page_text(client.get("/portal/cases/similar/", {"title": "laptop power"}))

    assert acme_case.reference not in home
    assert "Laptop will not power on" not in home
    assert acme_case.reference not in similar


def test_the_attachment_of_another_case_is_404_even_by_its_own_customer(
    customer_client, acme_case, customer
):
    other = services.report_case(acting_user=customer, title="Printer jams", description="")
    attachment = Attachment.objects.get(case=acme_case)

    response = customer_client.get(portal_url(other, f"attachments/{attachment.pk}/"))

    assert response.status_code == 404


def test_a_file_on_an_internal_note_is_404_for_the_customer(customer_client, acme_case, agent):
    note = services.add_internal_note(
        case=acme_case,
        acting_user=agent,
        body="Warranty ends next week.",
        files=[upload("warranty.txt", b"ends soon")],
    )
    attachment = Attachment.objects.get(entry=note)

    response = customer_client.get(portal_url(acme_case, f"attachments/{attachment.pk}/"))

    assert response.status_code == 404
    assert "warranty.txt" not in page_text(customer_client.get(portal_url(acme_case)))


@pytest.mark.parametrize("reference", ["C-999999", "not-a-case", "C--1"])
def test_unknown_reference_is_404(customer_client, reference):
    assert customer_client.get(f"/portal/cases/{reference}/").status_code == 404
    assert customer_client.post(f"/portal/cases/{reference}/reply/", {"body": "x"}).status_code == (
        404
    )


def test_signed_out_visitor_is_sent_to_sign_in(client, acme_case):
    response = client.get(portal_url(acme_case))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={portal_url(acme_case)}"


def test_own_cases_only_setting(client, organization, customer, acme_case):
    colleague = CustomerFactory(full_name="Robin Park", organization=organization)
    theirs = services.report_case(
        acting_user=colleague, title="Projector flickers", description="Room 4."
    )
    client.force_login(colleague)

    # By default colleagues see each other's cases: the organisation's cases.
    home = page_text(client.get("/portal/"))
    assert acme_case.reference in home
    assert theirs.reference in home
    assert client.get(portal_url(acme_case)).status_code == 200

    organization.customers_see_own_cases_only = True
    organization.save()
    client.force_login(colleague)  # a fresh request user, as after the admin's change

    home = page_text(client.get("/portal/"))
    assert theirs.reference in home
    assert acme_case.reference not in home
    assert "Laptop will not power on" not in home
    for method, url, data in portal_requests(acme_case):
        response = _request(client, method, url, data)
        assert response.status_code == 404, url
        assert "Laptop will not power on" not in response.content.decode()
    similar = page_text(client.get("/portal/cases/similar/", {"title": "laptop"}))
    assert acme_case.reference not in similar

    # Alex still sees their own case, and not Robin's.
    client.force_login(customer)
    home = page_text(client.get("/portal/"))
    assert acme_case.reference in home
    assert theirs.reference not in home
    assert client.get(portal_url(theirs)).status_code == 404


# --- agents: a preview, never an actor ---------------------------------------------------------


def test_agent_can_preview_the_portal_but_not_act_there(client, acme_case, agent):
    client.force_login(agent)

    home = client.get("/portal/")
    page = client.get(portal_url(acme_case))
    fragment = client.get(portal_url(acme_case, "timeline/"), {"after": "0"}, headers=HTMX)
    attachment = Attachment.objects.get(case=acme_case)
    download = client.get(portal_url(acme_case, f"attachments/{attachment.pk}/"))

    assert home.status_code == 200
    assert "Portal preview: you see what customers see." in page_text(home)
    assert acme_case.reference in page_text(home)
    assert page.status_code == 200
    assert "We think it's fixed — please confirm" in page_text(page)
    assert "Yes, it's fixed" not in page_text(page)  # no action buttons in the preview
    assert "Write to us" not in page_text(page)
    assert fragment.status_code == 200
    assert download.status_code == 200

    entries_before = TimelineEntry.objects.filter(case=acme_case).count()
    posts = [(url, data) for method, url, data in portal_requests(acme_case) if method == "post"]
    posts += [
        ("/portal/cases/new/", {"title": "Agent case", "description": "x", "priority": "20"}),
        ("/portal/settings/", {"notify_preference": "digest"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url

    assert fresh(acme_case).status == Status.PENDING_CONFIRMATION
    assert TimelineEntry.objects.filter(case=acme_case).count() == entries_before
    assert Case.objects.count() == 1
    agent.refresh_from_db()
    assert agent.notify_preference == "each"


def test_agent_preview_shows_no_internal_note(client, acme_case, agent):
    services.add_internal_note(case=acme_case, acting_user=agent, body="Customer is VIP-7731.")
    client.force_login(agent)

    page = client.get(portal_url(acme_case))

    assert "VIP-7731" not in page.content.decode()


@pytest.mark.parametrize("who", ["customer", "agent"])
def test_show_earlier_counts_only_what_the_portal_shows(client, acme_case, agent, customer, who):
    # Public replies mixed with internal notes: the page shows the latest 100 public
    # entries and counts only the public ones left, whoever reads the portal (an agent's
    # preview included).
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=acme_case,
            kind="internal_note" if n % 4 == 3 else "agent_reply",
            actor=agent,
            visibility="internal" if n % 4 == 3 else "public",
            body=f"Entry {n}",
            body_html=f"<p>Entry {n}</p>",
        )
        for n in range(147)
    )
    public = TimelineEntry.objects.filter(case=acme_case, visibility="public").count()
    client.force_login(customer if who == "customer" else agent)

    page = page_text(client.get(portal_url(acme_case)))

    assert f"Show {public - 100} earlier" in page
