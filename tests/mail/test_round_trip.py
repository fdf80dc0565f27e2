"""The whole loop over real SMTP: Dana's reply leaves as an email that threads into the case
([C-…] subject, text and HTML, the signed Reply-To, the portal link); Alex's mail client
answers it, quoting it; the answer, ingested by `manage.py ingest_email`, lands on the same
case with the quote cut off."""

from email.message import EmailMessage
from email.utils import make_msgid

from django.conf import settings
from django.core.management import call_command

from cases import services
from cases.models import EntryKind, Status
from notifications import delivery
from notifications.addresses import reply_address
from notifications.models import InboundMessage, Notice
from tests.helpers import desk_url, entries, page_text
from tests.smtp import body_text

REPLY = "The replacement charger ships today; it should arrive on Thursday."


def answer_to(sent: EmailMessage, text: str) -> bytes:
    """What a mail client writes when Alex presses Reply: quoted original, threading headers."""
    original = body_text(sent)
    quoted = "\n".join(f"> {line}".rstrip() for line in original.splitlines())
    answer = EmailMessage()
    answer["From"] = "Alex Kim <customer@example.test>"
    answer["To"] = sent["Reply-To"]
    answer["Subject"] = f"Re: {sent['Subject']}"
    answer["Date"] = "Wed, 05 Mar 2025 08:30:00 +0100"
    answer["Message-ID"] = make_msgid(domain="mail.acme.example")
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = f"{sent['References']} {sent['Message-ID']}"
    answer.set_content(f"{text}\n\nOn {sent['Date']}, {sent['From']} wrote:\n{quoted}\n")
    return answer.as_bytes()


def test_a_reply_goes_out_by_smtp_and_the_answer_comes_back_to_the_case(
    acme, agent, customer, smtp_sink, tmp_path, agent_client
):
    case = services.report_case(
        acting_user=customer, title="Laptop will not charge", description="Since Monday."
    )
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.reply_to_customer(case=case, acting_user=agent, body=REPLY)
    notice = Notice.objects.get(case=case, recipient=customer, channel=Notice.Channel.EMAIL)

    assert delivery.deliver(notice.pk) == 1

    [sent] = smtp_sink.to("customer@example.test")
    assert sent["Subject"].startswith(f"[{case.reference}] ")
    assert sent["Message-ID"] == f"<notice-{notice.pk}@{settings.MESSAGE_ID_DOMAIN}>"
    assert sent["In-Reply-To"] == sent["References"] == f"<case-{case.pk}@helpdesk.localhost>"
    assert sent["Reply-To"] == reply_address(case.pk)
    assert sent["Reply-To"].startswith(f"support+{case.pk}.")
    portal_link = f"{settings.SITE_URL}/portal/cases/{case.reference}/"
    text = sent.get_body(preferencelist=("plain",)).get_content()
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert REPLY in text and portal_link in text
    assert REPLY in html and f'href="{portal_link}"' in html
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT

    answer = tmp_path / "answer.eml"
    answer.write_bytes(answer_to(sent, "It arrived and the laptop charges again. Thank you!"))
    call_command("ingest_email", str(answer))
    call_command("ingest_email", str(answer))  # delivered twice by the MTA: still one entry

    [message] = entries(case, EntryKind.CUSTOMER_MESSAGE)
    assert message.body == "It arrived and the laptop charges again. Thank you!"
    assert message.actor == customer
    stored = InboundMessage.objects.get()
    assert stored.case == case and stored.entry == message
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.owner == agent
    desk = page_text(agent_client.get(desk_url(case)))
    assert "It arrived and the laptop charges again. Thank you!" in desk
    assert desk.count(REPLY) == 1  # the quote did not come back as a second copy
