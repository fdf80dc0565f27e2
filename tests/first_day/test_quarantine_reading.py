"""The mail quarantine as an agent works it: read the message in the page, then accept it
(as a new customer of an organisation, or as an existing customer's), add it to a case, or
reject it after confirming; the outcome says what happened, with a link to the case."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from cases import services
from cases.models import EntryKind, Visibility
from notifications import inbound
from notifications.models import InboundMessage

pytestmark = pytest.mark.django_db


def mail(sender: str, subject: str, text: str, *, attachment: bytes = b"") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@helpdesk.localhost"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@mail.example>"
    message.set_content(text)
    if attachment:
        message.add_attachment(attachment, maintype="text", subtype="plain", filename="log.txt")
    return message.as_bytes()


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def stranger_mail():
    stored = inbound.receive(
        mail(
            '"Morgan, Pat" <pat@consulting.example>',
            "Scanner offline",
            "The scanner on floor 2\nshows error E-42.",
            attachment=b"E-42 at 09:14",
        )
    )
    assert stored.status == InboundMessage.Status.QUARANTINED
    return stored


@pytest.fixture
def senderless_mail():
    stored = inbound.receive(mail("undisclosed-recipients:;", "Invoice 7781", "Please pay."))
    assert stored.status == InboundMessage.Status.QUARANTINED
    return stored


def decide(desk, stored, action, **data):
    url = reverse("desk:quarantine_decide", kwargs={"message_id": stored.pk, "action": action})
    return desk.post(url, data, follow=True)


def test_the_list_shows_the_sender_parsed_and_links_to_the_message(desk, stranger_mail):
    page = desk.get(reverse("desk:quarantine")).text

    assert "Morgan, Pat" in page and "pat@consulting.example" in page
    assert "&quot;Morgan, Pat&quot;" not in page  # not the raw header with its quoting
    assert reverse("desk:quarantine_message", kwargs={"message_id": stranger_mail.pk}) in page


def test_the_message_is_read_in_the_page(desk, stranger_mail):
    url = reverse("desk:quarantine_message", kwargs={"message_id": stranger_mail.pk})
    page = desk.get(url).text

    assert "Morgan, Pat &lt;pat@consulting.example&gt;" in page
    assert "The scanner on floor 2\nshows error E-42." in page
    assert "log.txt" in page
    assert "Unknown sender pat@consulting.example" in page


def test_accepting_as_an_existing_customer_links_to_the_new_case(desk, stranger_mail, customer):
    response = decide(desk, stranger_mail, "accept", customer=customer.email)

    stranger_mail.refresh_from_db()
    case = stranger_mail.case
    assert stranger_mail.status == InboundMessage.Status.PROCESSED
    assert case.customer == customer and case.title == "Scanner offline"
    link = f'<a href="/desk/cases/{case.reference}/">{case.reference}</a>'
    assert f"Added to a case → {link} as the mail of {customer.full_name} (" in response.text


def test_a_message_without_a_readable_sender_can_be_added_to_a_case(
    desk, senderless_mail, customer, agent
):
    case = services.report_case(acting_user=customer, title="Billing", description="Invoices.")

    refused = decide(desk, senderless_mail, "accept", organization=customer.organization_id)
    assert refused.status_code == 422
    assert "The sender&#x27;s address cannot be read" in refused.text

    response = decide(desk, senderless_mail, "add", reference=case.reference)

    senderless_mail.refresh_from_db()
    assert senderless_mail.status == InboundMessage.Status.PROCESSED
    assert senderless_mail.case == case
    note = case.timeline.get(kind=EntryKind.INTERNAL_NOTE)
    assert note.visibility == Visibility.INTERNAL and note.actor == agent
    assert "added from the mail quarantine by Dana Lee" in note.body
    assert "Please pay." in note.body
    assert f'<a href="/desk/cases/{case.reference}/">' in response.text


def test_a_decision_that_leaves_it_waiting_says_so_and_keeps_the_input(desk, stranger_mail):
    response = decide(desk, stranger_mail, "add", reference="C-999999")

    assert response.status_code == 422
    assert "No case C-999999" in response.text
    assert 'value="C-999999"' in response.text

    retried = decide(desk, stranger_mail, "retry")
    assert retried.status_code == 422
    assert "Still waiting: Unknown sender pat@consulting.example" in retried.text
