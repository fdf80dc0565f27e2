"""Issue 19, items 1, 2, 6 and 8: no message disappears from view. A redelivery is the same
Message-ID with the same content; a different message reusing an ID is its own. A machine's
mail is recognised by what machines write, listed for agents with its reason, and can
still be read as a person's. Mail without a readable sender can be accepted. Email
attachments meet the same policy as the portal's, refusals listed on the entry."""

import mailbox

import pytest
from django.urls import reverse

from cases.models import Case, EntryKind, Status
from helpdesk.accounts.models import User
from notifications import inbound
from notifications.models import InboundMessage
from tests.helpers import entries, page_text, run_command
from tests.mail.corpus import PDF, by_hand, composed, envelope, plain

pytestmark = pytest.mark.django_db


def ingest(tmp_path, *messages: bytes) -> list[str]:
    """Feed message files through `manage.py ingest_email`; one output line per file."""
    paths = []
    for number, raw in enumerate(messages, 1):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(raw)
        paths.append(str(path))
    output = run_command("ingest_email", *paths)
    return [line.partition(": ")[2] for line in output.splitlines()]


def desk_text(client, agent, url: str) -> str:
    client.force_login(agent)
    return page_text(client.get(url))


# --- 1. a reused Message-ID ---------------------------------------------------------------


def test_a_redelivery_through_another_relay_is_recognised(case, context, tmp_path):
    original = plain("again", "The charger is warm.", In_Reply_To=context.notice())
    relayed = (
        b"Received: from mx2.acme.example by mx.helpdesk.localhost; Tue, 4 Mar 2025\r\n"
        b"Delivered-To: support@helpdesk.localhost\r\nReturn-Path: <customer@example.test>\r\n"
        + original
    )

    first, second = ingest(tmp_path, original, relayed)

    stored = InboundMessage.objects.get()
    assert first == f"Added to a case → {case.reference}"
    assert second == (
        f"Added to a case → {case.reference} (a redelivery of message {stored.pk}: nothing new)"
    )
    assert [e.body for e in entries(case, EntryKind.CUSTOMER_MESSAGE)] == ["The charger is warm."]


@pytest.mark.parametrize(
    "second",
    [
        pytest.param({"text": "Sorry, I meant the left port."}, id="other-words"),
        pytest.param(
            {"text": "The charger is warm.", "subject": "Re: charger"}, id="other-subject"
        ),
        pytest.param(
            {"text": "The charger is warm.", "Resent_From": "Alex Kim <customer@example.test>"},
            id="resent-copy",
        ),
    ],
)
def test_a_different_message_reusing_a_message_id_is_handled_as_its_own(
    case, context, tmp_path, second
):
    text = second.pop("text")
    first_raw = plain("reused", "The charger is warm.", In_Reply_To=context.notice())
    second_raw = plain("reused", text, In_Reply_To=context.notice(), **second)

    lines = ingest(tmp_path, first_raw, second_raw)

    first, newcomer = InboundMessage.objects.order_by("pk")
    assert first.message_id == newcomer.message_id == "<reused@mail.acme.example>"
    assert newcomer.reuses_message_id_of == first
    assert newcomer.status == InboundMessage.Status.PROCESSED
    assert newcomer.raw.read() == second_raw
    assert lines[1] == (
        f"Added to a case → {case.reference} (a different message reusing the Message-ID of "
        f"message {first.pk})"
    )
    assert [e.body for e in entries(case, EntryKind.CUSTOMER_MESSAGE)] == [
        "The charger is warm.",
        text,
    ]


def test_a_maildir_run_reports_each_message_with_its_own_outcome(acme, customer, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(plain("same-id", "Printer 1 jams.", subject="Printer 1"))
    box.add(plain("same-id", "Printer 2 is out of toner.", subject="Printer 2"))

    output = run_command("ingest_email", "--maildir", str(tmp_path / "Maildir"))

    first, newcomer = InboundMessage.objects.order_by("pk")
    assert {first.case.title, newcomer.case.title} == {"Printer 1", "Printer 2"}
    assert newcomer.reuses_message_id_of == first
    assert output.splitlines() == [
        f"{_key(box, first)}: Added to a case → {first.case.reference}",
        f"{_key(box, newcomer)}: Added to a case → {newcomer.case.reference} (a different "
        f"message reusing the Message-ID of message {first.pk})",
    ]
    assert all(box.get_message(key).get_subdir() == "cur" for key in box.iterkeys())


def _key(box: mailbox.Maildir, stored: InboundMessage) -> str:
    """The Maildir key of the message stored as `stored`."""
    raw = stored.raw.open("rb").read()
    return next(key for key in box.iterkeys() if box.get_bytes(key) == raw)


# --- 2. a machine's mail, and a person's mail through list software -------------------------


@pytest.mark.parametrize("precedence", ["bulk", "list", "junk"])
def test_a_customers_mail_with_precedence_alone_is_a_persons(acme, customer, precedence, tmp_path):
    raw = plain(
        f"prec-{precedence}",
        "Our whole team cannot print since Monday.",
        subject="Printing is down",
        Precedence=precedence,
    )

    [line] = ingest(tmp_path, raw)

    case = Case.objects.get(title="Printing is down")
    assert line == f"Added to a case → {case.reference}"
    assert case.customer == customer


AUTOMATIC = [
    pytest.param({"Auto_Submitted": "auto-replied"}, "Auto-reply (Auto-Submitted: auto-replied).",
                 id="rfc3834"),
    pytest.param({"Auto_Submitted": "auto-generated; owner-email=x@acme.example"},
                 "Auto-reply (Auto-Submitted: auto-generated).", id="rfc3834-params"),
    pytest.param({"X_Autoreply": "yes"}, "Auto-reply (X-Autoreply: yes).", id="x-autoreply"),
    pytest.param({"X_Autorespond": "Out of office"}, "Auto-reply (X-Autorespond: Out of office).",
                 id="x-autorespond"),
    pytest.param({"Precedence": "auto_reply"}, "Auto-reply (Precedence: auto_reply).",
                 id="precedence-auto-reply"),
    pytest.param({"X_Failed_Recipients": "customer@example.test"},
                 "Delivery report (a bounce): recorded, not answered.", id="failed-recipients"),
    pytest.param({"Return_Path": "<>"},
                 "Sent with an empty return path (a bounce or an auto-reply).", id="null-sender"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "reason"), AUTOMATIC)
def test_a_machines_reply_is_ignored_and_listed_with_its_reason(
    case, context, client, agent, tmp_path, headers, reason
):
    raw = plain(
        "auto",
        "I am out of the office until Monday.",
        subject=f"Out of office: Re: [{case.reference}]",
        In_Reply_To=context.notice(),
        **headers,
    )

    [line] = ingest(tmp_path, raw)

    assert (
        line == f"Ignored: a machine's mail (recorded, not answered) → {case.reference} ({reason})"
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []
    listed = desk_text(client, agent, reverse("desk:quarantine") + "?show=ignored")
    assert "Out of office: Re:" in listed and reason in listed and case.reference in listed


def test_bounces_and_mass_mail_from_strangers_are_ignored_too(acme, customer, tmp_path):
    report = composed("bounce", sender="MAILER-DAEMON@mx.acme.example", subject="Undelivered")
    report.set_content("Delivery failed.")
    report.make_mixed()
    report.replace_header("Content-Type", "multipart/report; report-type=delivery-status")
    bulk = plain(
        "news",
        "Our spring offers!",
        sender="news@acme.example",
        subject="Offers",
        Precedence="bulk",
    )

    lines = ingest(tmp_path, report.as_bytes(), bulk)

    assert lines[0].startswith("Ignored: a machine's mail")
    assert lines[1] == (
        "Ignored: a machine's mail (recorded, not answered) (Mass mail (Precedence: bulk) from "
        "a sender who is not a customer.)"
    )
    assert not Case.objects.exists()
    assert not User.objects.filter(email="news@acme.example").exists()


def test_ignored_mail_can_be_read_as_the_customers_after_all(case, context, client, agent):
    stored = inbound.receive(
        plain(
            "auto-person",
            "Not a robot: the laptop still shuts down after ten minutes.",
            In_Reply_To=context.notice(),
            Auto_Submitted="auto-replied",
        )
    )
    assert stored.status == InboundMessage.Status.IGNORED
    client.force_login(agent)

    page = page_text(client.get(reverse("desk:quarantine_message", args=[stored.pk])))
    assert "Why it was ignored" in page and "Retry" not in page
    response = client.post(
        reverse("desk:quarantine_decide", args=[stored.pk, "accept"]),
        {"customer": case.customer.email},
        follow=True,
    )

    stored.refresh_from_db()
    assert stored.status == InboundMessage.Status.PROCESSED and stored.case == case
    [entry] = entries(case, EntryKind.CUSTOMER_MESSAGE)
    assert entry.body == "Not a robot: the laptop still shuts down after ten minutes."
    assert f"Added to a case → {case.reference} as the mail of" in page_text(response)
    assert response.request["QUERY_STRING"] == "show=ignored"


def test_ignored_mail_can_be_put_on_a_case_as_a_note(case, client, agent):
    stored = inbound.receive(
        plain("ooo", "Back on Monday.", subject="Out of office", X_Autoreply="yes")
    )
    client.force_login(agent)

    client.post(
        reverse("desk:quarantine_decide", args=[stored.pk, "add"]), {"reference": case.reference}
    )

    [note] = entries(case, EntryKind.INTERNAL_NOTE)
    assert "Back on Monday." in note.body and "customer@example.test" in note.body


def test_the_tabs_count_what_waits_and_what_was_ignored(acme, customer, client, agent):
    inbound.receive(plain("ooo-1", "Out until Monday.", subject="Holiday note", X_Autoreply="yes"))
    inbound.receive(plain("stranger", "Hello?", sender="pat@elsewhere.example", subject="Hi"))

    listed = desk_text(client, agent, reverse("desk:quarantine"))

    assert "Waiting for a decision 1" in listed and "Ignored 1" in listed
    assert "pat@elsewhere.example" in listed and "Holiday note" not in listed


# --- 6. no readable sender ----------------------------------------------------------------


@pytest.fixture
def senderless(acme):
    raw = by_hand(
        [
            *envelope("nosender", sender="undisclosed", subject="Screen flickers"),
            ("Content-Type", "text/plain; charset=us-ascii"),
        ],
        "The screen in room 4 flickers.\n",
    )
    stored = inbound.receive(raw)
    assert stored.status == InboundMessage.Status.QUARANTINED
    return stored


def test_mail_without_a_readable_sender_is_accepted_as_a_new_customer(
    senderless, acme, client, agent
):
    client.force_login(agent)
    url = reverse("desk:quarantine_decide", args=[senderless.pk, "accept"])

    refused = client.post(url, {"name": "Robin Diaz", "organization": acme.pk})
    assert refused.status_code == 422
    assert "give the new customer's address and organisation" in page_text(refused)
    assert 'value="Robin Diaz"' in refused.text

    response = client.post(
        url,
        {"name": "Robin Diaz", "address": "robin@acme.example", "organization": acme.pk},
        follow=True,
    )

    robin = User.objects.get(email="robin@acme.example")
    assert robin.full_name == "Robin Diaz" and robin.organization == acme and robin.is_customer
    case = Case.objects.get(customer=robin)
    assert case.title == "Screen flickers"
    assert "The screen in room 4 flickers." in case.description
    assert (
        f"Added to a case → {case.reference} as the mail of Robin Diaz (robin@acme.example)."
        in page_text(response)
    )


def test_a_typed_address_that_is_not_one_is_refused_with_the_input_kept(
    senderless, acme, client, agent
):
    client.force_login(agent)

    response = client.post(
        reverse("desk:quarantine_decide", args=[senderless.pk, "accept"]),
        {"name": "Robin", "address": "robin at acme", "organization": acme.pk},
    )

    assert response.status_code == 422
    assert "robin at acme is not an email address." in page_text(response)
    assert 'value="robin at acme"' in response.text
    senderless.refresh_from_db()
    assert senderless.status == InboundMessage.Status.QUARANTINED


# --- 8. one attachment policy -------------------------------------------------------------


def test_email_attachments_meet_the_portals_policy(
    case, context, client, agent, settings, tmp_path
):
    settings.MAX_ATTACHMENT_BYTES = 1024
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 2
    message = composed("files", In_Reply_To=context.notice())
    message.set_content("Three files from the service desk.")
    message.add_attachment(PDF, "application", "pdf", filename="invoice.pdf")
    message.add_attachment(b"MZ" + b"\0" * 64, "application", "octet-stream", filename="tool.exe")
    message.add_attachment(b"x" * 4096, "text", "plain", filename="big-log.txt")
    message.add_attachment(b"two", "text", "plain", filename="note.txt")
    message.add_attachment(b"three", "text", "plain", filename="later.txt")

    ingest(tmp_path, message.as_bytes())

    [entry] = entries(case, EntryKind.CUSTOMER_MESSAGE)
    assert sorted(a.filename for a in entry.attachments.all()) == ["invoice.pdf", "note.txt"]
    page = desk_text(client, agent, reverse("desk:case", args=[case.reference]))
    assert "Not attached (the attachment policy refused them):" in page
    assert "tool.exe is a kind of file (application/" in page
    assert "that is not accepted. Send images, PDF, text, CSV, ZIP or Office documents." in page
    assert "big-log.txt is 4.0 KB; the limit is 1.0 KB per file." in page.replace("\xa0", " ")
    assert "later.txt is one file more than the 2 a message holds." in page
