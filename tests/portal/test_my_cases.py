"""My cases and the case page as the customer reads them: plain words for the status, who
owns it and where it is, when we will be in touch; references kept once; replies with
files within clear limits; a new case with the priorities the plan allows."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import Attachment, Case, CustomerIdentifier, EntryKind, Priority, TimelineEntry
from cases.services import handoffs, promises
from tests.factories import CustomerFactory, DepartmentFactory
from tests.helpers import (
    HTMX,
    fresh,
    page_text,
    portal_url,
    propose,
    report_case,
    streamed,
    take,
    upload,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


# --- My cases -----------------------------------------------------------------------------


def test_my_cases_shows_open_cases_first_in_plain_words(
    settings, customer_client, customer, agent, time_machine
):
    settings.TIME_ZONE = "UTC"  # the times below are read in UTC
    time_machine.move_to(NOW, tick=False)
    closed = take(report_case(customer, "Old monitor flickers"), agent)
    propose(closed, agent, "Fixed it.")
    time_machine.move_to(NOW + 10 * MINUTE, tick=False)
    unowned = report_case(customer, "Mouse is sluggish")
    time_machine.move_to(NOW + 20 * MINUTE, tick=False)
    working = take(report_case(customer, "Laptop will not power on"), agent)
    promises.set_eta(case=working, acting_user=agent, eta=NOW + timedelta(days=2))
    time_machine.move_to(NOW + 30 * MINUTE, tick=False)
    waiting = take(report_case(customer, "Printer jams"), agent)
    services.wait_on_customer(case=waiting, acting_user=agent, expected_version=None)
    time_machine.move_to(NOW + 40 * MINUTE, tick=False)
    pending = propose(take(report_case(customer, "Docking station"), agent), agent, "Fixed it.")
    # The closed case changed last, and still comes after every open one.
    time_machine.move_to(NOW + 50 * MINUTE, tick=False)
    services.confirm_resolution(case=closed, acting_user=customer, expected_version=None)
    time_machine.move_to(NOW + 3 * 60 * MINUTE, tick=False)

    response = customer_client.get("/portal/")

    assert response.status_code == 200
    page = page_text(response)
    order = [pending, waiting, working, unowned, closed]
    positions = [page.index(case.reference) for case in order]
    assert positions == sorted(positions)

    def row(case: Case) -> str:
        start = page.index(case.reference)
        following = [p for p in positions if p > start]
        return page[start : min(following) if following else len(page)]

    assert "We think it's fixed — please confirm" in row(pending)
    assert "Waiting for your reply" in row(waiting)
    assert "We're working on it" in row(working)
    assert "Received: we're finding the right person" in row(unowned)
    assert "Finding the right person" in row(unowned)
    assert "Closed" in row(closed)
    assert "Owned by Dana Lee, Support" in row(working)
    assert "Owned by Dana Lee, Support" in row(closed)
    assert "Next from us by Wed 5 Mar, 09:00" in row(working)
    assert "Next from us" not in row(closed)
    assert "Last update 2 hours, 40 minutes ago" in row(working)
    assert "Last update 2 hours, 10 minutes ago" in row(closed)


def test_my_cases_invites_a_first_report(customer_client):
    page = page_text(customer_client.get("/portal/"))

    assert "No cases yet." in page
    assert "Report a problem" in page


# --- the case page --------------------------------------------------------------------------


def test_case_page_names_the_owner_and_where_it_is_now(
    settings, customer_client, owned_case, agent
):
    settings.TIME_ZONE = "UTC"  # the times below are read in UTC
    hardware = DepartmentFactory(name="Hardware")
    parts = DepartmentFactory(name="Parts")
    handoffs.request_handoff(
        case=owned_case,
        acting_user=agent,
        department=hardware,
        needed="PSU reads 0 V on pin 3; replace it",
        customer_summary="replacing the power supply",
    )
    handoffs.request_handoff(
        case=owned_case, acting_user=agent, department=parts, needed="Check battery stock"
    )
    promises.set_eta(
        case=owned_case, acting_user=agent, eta=datetime(2099, 1, 2, 15, 30, tzinfo=UTC)
    )

    response = customer_client.get(portal_url(owned_case))

    assert response.status_code == 200
    page = page_text(response)
    assert "We're working on it" in page
    assert "Your case is owned by Dana Lee, Support." in page
    assert "Where it is now: With our Hardware team: replacing the power supply" in page
    assert "Parts" not in page
    assert "pin 3" not in page
    assert "Check battery stock" not in page
    assert "We expect to have it fixed by Fri 2 Jan, 15:30." in page
    assert "Your case is now owned by Dana Lee, Support." in page  # on the timeline
    assert "Serial number: 5CD1234XYZ" in page


def test_unowned_case_says_we_are_finding_an_owner(customer_client, reported_case):
    page = page_text(customer_client.get(portal_url(reported_case)))

    assert "Received: we're finding the right person" in page
    assert "We are finding the right person to own your case." in page


def test_customer_adds_and_removes_a_reference(customer_client, owned_case, agent, client):
    response = customer_client.post(
        portal_url(owned_case, "identifiers/"),
        {"name": "Order ID", "value": "ORD-5521"},
        follow=True,
    )

    page = page_text(response)
    assert "Saved. Everyone working on your case sees it." in page
    assert "Order ID: ORD-5521" in page
    assert "Added to your case: Order ID: ORD-5521" in page
    identifier = CustomerIdentifier.objects.get(case=owned_case, name="Order ID")

    response = customer_client.post(
        portal_url(owned_case, f"identifiers/{identifier.pk}/remove/"), headers=HTMX
    )

    assert response.status_code == 200
    panel = page_text(response)
    assert "Removed." in panel
    assert "ORD-5521" not in panel
    assert "Serial number: 5CD1234XYZ" in panel
    assert "Removed from your case: Order ID" in page_text(
        customer_client.get(portal_url(owned_case))
    )
    assert not CustomerIdentifier.objects.filter(case=owned_case, name="Order ID").exists()


def test_a_reference_needs_a_name_and_a_value(customer_client, owned_case):
    response = customer_client.post(
        portal_url(owned_case, "identifiers/"), {"name": "Order ID", "value": ""}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Give both a name and a value." in page_text(response)


def test_removing_a_reference_of_another_case_is_404(customer_client, owned_case, customer):
    other = services.report_case(
        acting_user=customer,
        title="Printer jams",
        description="",
        identifiers=[services.IdentifierInput("Order ID", "ORD-1")],
    )
    identifier = CustomerIdentifier.objects.get(case=other)

    response = customer_client.post(
        portal_url(owned_case, f"identifiers/{identifier.pk}/remove/"), headers=HTMX
    )

    assert response.status_code == 404
    assert CustomerIdentifier.objects.filter(pk=identifier.pk).exists()


# --- replies and files --------------------------------------------------------------------------


def test_customer_replies_with_an_attachment(customer_client, owned_case, agent):
    photo = upload("charger.png", b"\x89PNG fake image", "image/png")

    response = customer_client.post(
        portal_url(owned_case, "reply/"),
        {"body": "Here is the charger's light.", "files": [photo]},
        follow=True,
    )

    page = page_text(response)
    assert "Sent. Your case's owner has it." in page
    assert "Here is the charger's light." in page
    assert "📎 charger.png (15 bytes)" in page
    attachment = Attachment.objects.get(case=owned_case)
    download = customer_client.get(portal_url(owned_case, f"attachments/{attachment.pk}/"))
    assert download.status_code == 200
    assert streamed(download) == b"\x89PNG fake image"
    assert 'attachment; filename="charger.png"' in download["Content-Disposition"]
    # The owner hears of it in the desk's bell.
    assert agent.notices.filter(kind="customer_message").count() == 1


def test_an_executable_is_refused_with_a_clear_error(customer_client, owned_case):
    program = upload("setup.exe", b"MZ\x90\x00", "application/octet-stream")

    response = customer_client.post(
        portal_url(owned_case, "reply/"), {"body": "Run this", "files": [program]}
    )

    assert response.status_code == 422
    page = page_text(response)
    assert "setup.exe is a kind of file" in page
    assert "is not accepted. Send images, PDF, text, CSV, ZIP or Office documents." in page
    assert "Run this" in page  # the message is kept for another try
    assert not TimelineEntry.objects.filter(
        case=owned_case, kind=EntryKind.CUSTOMER_MESSAGE
    ).exists()
    assert not Attachment.objects.exists()


def test_a_too_large_file_is_refused_with_the_limit(settings, customer_client, owned_case):
    settings.MAX_ATTACHMENT_BYTES = 1024
    big = upload("scan.pdf", b"%PDF" + b"0" * 3000, "application/pdf")

    response = customer_client.post(
        portal_url(owned_case, "reply/"), {"body": "The scan", "files": [big]}, headers=HTMX
    )

    assert response.status_code == 422
    page = page_text(response)
    assert "scan.pdf is 2.9 KB; the limit is 1.0 KB per file." in page
    assert not Attachment.objects.exists()


def test_an_empty_reply_is_refused(customer_client, owned_case):
    response = customer_client.post(portal_url(owned_case, "reply/"), {"body": " "}, headers=HTMX)

    assert response.status_code == 422
    assert "Write a message before sending it." in page_text(response)


# --- reporting a new case -------------------------------------------------------------------------


def test_customer_reports_a_case_with_a_file_and_references(customer_client, customer):
    screenshot = upload("error.png", b"\x89PNG error", "image/png")

    response = customer_client.post(
        "/portal/cases/new/",
        {
            "title": "VPN drops every hour",
            "description": "Since Monday, the VPN disconnects.",
            "priority": str(Priority.HIGH),
            "identifier_name_0": "Customer number",
            "identifier_value_0": "CU-881",
            "files": [screenshot],
        },
        follow=True,
    )

    case = Case.objects.get(title="VPN drops every hour")
    assert response.redirect_chain[-1][0] == portal_url(case)
    page = page_text(response)
    assert f"Thank you. Your case {case.reference} is with us." in page
    assert "Received: we're finding the right person" in page
    assert "Since Monday, the VPN disconnects." in page
    assert "📎 error.png" in page
    assert "Customer number: CU-881" in page
    assert case.customer == customer
    assert case.priority == Priority.HIGH
    assert case.owner is None


def test_basic_tier_customer_cannot_choose_urgent(customer_client, organization):
    organization.sla_tier = "basic"
    organization.save()

    form = customer_client.get("/portal/cases/new/").content.decode()
    assert '<option value="20"' in form
    assert '<option value="40"' not in form
    assert '<option value="30"' not in form

    response = customer_client.post(
        "/portal/cases/new/",
        {"title": "Server down", "description": "Nothing answers.", "priority": "40"},
    )

    assert response.status_code == 422
    assert "Select a valid choice. 40 is not one of the available choices." in page_text(response)
    assert not Case.objects.exists()


def test_premium_tier_customer_can_choose_urgent(customer_client, organization):
    organization.sla_tier = "premium"
    organization.save()

    response = customer_client.post(
        "/portal/cases/new/",
        {"title": "Server down", "description": "Nothing answers.", "priority": "40"},
    )

    assert response.status_code == 302
    assert Case.objects.get().priority == Priority.URGENT


def test_report_refuses_an_executable(customer_client):
    response = customer_client.post(
        "/portal/cases/new/",
        {
            "title": "Tool crashes",
            "description": "See the tool.",
            "priority": "20",
            "files": [upload("tool.exe", b"MZ", "image/png")],
        },
    )

    assert response.status_code == 422
    assert "tool.exe is a kind of file" in page_text(response)
    assert not Case.objects.exists()


def test_similar_cases_are_suggested_while_typing_a_title(
    customer_client, customer, agent, organization, other_organization
):
    colleague = CustomerFactory(organization=organization)
    charging = report_case(colleague, "Laptop battery not charging")
    closed = take(report_case(customer, "Laptop battery swollen"), agent)
    services.close_case(case=closed, acting_user=agent, reason="Replaced.", expected_version=None)
    report_case(customer, "Printer jams")
    globex = report_case(
        CustomerFactory(organization=other_organization), "Battery drains at night"
    )

    response = customer_client.get(
        "/portal/cases/similar/", {"title": "My battery is dead"}, headers=HTMX
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="similar"')
    assert "Is this the same as one of these?" in page_text(response)
    assert charging.reference in fragment
    assert "Laptop battery not charging" in fragment
    assert closed.reference not in fragment
    assert globex.reference not in fragment
    assert "Printer" not in fragment

    nothing = customer_client.get("/portal/cases/similar/", {"title": "a b c"}, headers=HTMX)
    assert "Is this the same" not in nothing.content.decode()
    assert fresh(charging).status == "new"
