"""The desk's mail quarantine (/desk/mail/): an agent sees why each message waits, accepts a
stranger into an organisation, rejects, retries after a fix, downloads the raw source.
Customers (of any organisation) reach none of it."""

import pytest

from cases.models import Case, Status
from helpdesk.accounts.models import User
from notifications import inbound
from notifications.models import InboundMessage
from tests.helpers import page_text, signed_in, streamed
from tests.mail.corpus import plain

STRANGER = "Pat Morgan <pat@pat-consulting.example>"


@pytest.fixture
def waiting(acme) -> InboundMessage:
    """A stranger's first mail, waiting for an agent."""
    stored = inbound.receive(
        plain(
            "stranger-1",
            "Our new office printer will not connect to the network.",
            sender=STRANGER,
            subject="Printer will not connect",
        )
    )
    assert stored.status == InboundMessage.Status.QUARANTINED
    return stored


def test_it_lists_waiting_mail_with_its_reason(agent_client, waiting):
    text = page_text(agent_client.get("/desk/mail/"))

    assert "pat@pat-consulting.example" in text
    assert "Printer will not connect" in text
    assert "Unknown sender pat@pat-consulting.example: accept it to create the customer." in text


def test_what_a_stranger_wrote_is_shown_as_text(agent_client, acme):
    inbound.receive(
        plain(
            "hostile",
            "Hi",
            sender="pat@elsewhere.example",
            subject='<img src=x onerror="alert(1)"> Invoice',
        )
    )

    response = agent_client.get("/desk/mail/")

    assert b"<img src=x" not in response.content
    assert '<img src=x onerror="alert(1)"> Invoice' in page_text(response)


def test_agent_accepts_a_stranger_into_an_organisation(agent_client, waiting, acme):
    response = agent_client.post(
        f"/desk/mail/{waiting.pk}/accept/", {"organization": acme.pk}, follow=True
    )

    pat = User.objects.get(email="pat@pat-consulting.example")
    assert pat.is_customer and pat.organization == acme and pat.full_name == "Pat Morgan"
    case = Case.objects.get(customer=pat)
    assert case.title == "Printer will not connect"
    assert case.status == Status.NEW
    assert "will not connect to the network" in case.description
    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.PROCESSED and waiting.case == case
    text = page_text(response)
    assert f"Added to a case → {case.reference} as the mail of Pat Morgan ({pat.email})." in text
    assert "Nothing waiting." in text


def test_accepting_needs_an_organisation(agent_client, waiting):
    response = agent_client.post(f"/desk/mail/{waiting.pk}/accept/", follow=True)

    assert response.status_code == 422
    assert "Choose the organisation the sender belongs to, or a customer." in page_text(response)
    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.QUARANTINED
    assert not User.objects.filter(email="pat@pat-consulting.example").exists()


def test_rejecting_asks_for_confirmation_first(agent_client, waiting):
    response = agent_client.post(f"/desk/mail/{waiting.pk}/reject/")

    assert response.status_code == 422
    assert "Tick the box to confirm" in page_text(response)
    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.QUARANTINED


def test_agent_rejects_a_message(agent_client, waiting):
    response = agent_client.post(
        f"/desk/mail/{waiting.pk}/reject/", {"confirm": "yes"}, follow=True
    )

    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.REJECTED
    assert waiting.reason == "Rejected by Dana Lee."
    assert "Nothing waiting." in page_text(response)
    assert not User.objects.filter(email="pat@pat-consulting.example").exists()
    assert not Case.objects.filter(title="Printer will not connect").exists()


def test_agent_retries_after_a_fix(agent_client, waiting, acme):
    # The fix: Pat's consultancy turns out to be Acme's, under a domain we did not know.
    acme.email_domains += ", pat-consulting.example"
    acme.save(update_fields=["email_domains"])

    response = agent_client.post(f"/desk/mail/{waiting.pk}/retry/", follow=True)

    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.PROCESSED
    assert waiting.attempts == 2
    assert waiting.reason == ""
    assert waiting.case.organization == acme
    assert f"Added to a case → {waiting.case.reference}." in page_text(response)


def test_a_retry_without_a_fix_keeps_it_waiting(agent_client, waiting):
    agent_client.post(f"/desk/mail/{waiting.pk}/retry/")

    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.QUARANTINED
    assert "Unknown sender" in waiting.reason
    assert waiting.attempts == 2


def test_a_handled_message_is_not_handled_twice(agent_client, waiting, acme):
    agent_client.post(f"/desk/mail/{waiting.pk}/accept/", {"organization": acme.pk})

    response = agent_client.post(
        f"/desk/mail/{waiting.pk}/accept/", {"organization": acme.pk}, follow=True
    )

    assert "This message was handled already." in page_text(response)
    assert Case.objects.filter(title="Printer will not connect").count() == 1


def test_raw_download_is_for_agents_only(agent_client, waiting, customer, outsider, client):
    response = agent_client.get(f"/desk/mail/{waiting.pk}/raw/")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert f'filename="message-{waiting.pk}.eml"' in response["Content-Disposition"]
    with waiting.raw.open("rb") as raw:
        assert streamed(response) == raw.read()

    for person in (customer, outsider):
        assert signed_in(person).get(f"/desk/mail/{waiting.pk}/raw/").status_code == 403
    assert client.get(f"/desk/mail/{waiting.pk}/raw/").status_code == 302  # to sign in


def test_customers_cannot_see_or_decide(waiting, customer, outsider, acme):
    for person in (customer, outsider):
        browser = signed_in(person)
        assert browser.get("/desk/mail/").status_code == 403
        for action in ("accept", "reject", "retry"):
            response = browser.post(f"/desk/mail/{waiting.pk}/{action}/", {"organization": acme.pk})
            assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == InboundMessage.Status.QUARANTINED


def test_an_unknown_message_or_action_is_not_found(agent_client, waiting):
    assert agent_client.get("/desk/mail/999999/raw/").status_code == 404
    assert agent_client.post(f"/desk/mail/{waiting.pk}/delete/").status_code == 404
