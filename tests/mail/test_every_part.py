# ruff: noqa: RUF001 -- mail in Portuguese and German, typographic quotes on purpose
"""Issue 19, items 3, 4, 5, 7 and 9: every readable part of a message reaches the agent.
Each part is in the entry's text, in order, or a file on it (stored, or listed as refused
with the reason); forwarded mail in a reply stays; headers a client wrote as raw 8-bit
bytes read as the words they are; one unusable attachment never holds the message back.

Every message goes in as a mail server hands it over (`manage.py ingest_email`)."""

import base64
from dataclasses import dataclass
from email.message import MIMEPart
from email.parser import BytesHeaderParser
from email.policy import default

import pytest

from cases.models import Case
from notifications import mail_parsing
from notifications.mail_parsing import safe_name, strip_reply
from notifications.models import InboundMessage
from tests.helpers import run_command
from tests.mail.corpus import PDF, PNG, composed

pytestmark = pytest.mark.django_db


@dataclass
class Seen:
    """What an agent sees of one message on its case."""

    title: str
    body: str
    files: list[str]  # attachments stored on the entry
    refused: list[str]  # attachments the policy refused, listed on the entry
    case: Case

    @property
    def listed(self) -> list[str]:
        return self.files + self.refused


def ingest(tmp_path, raw: bytes) -> Seen:
    """One message through `manage.py ingest_email`, and the entry it became."""
    path = tmp_path / f"{InboundMessage.objects.count() + 1}.eml"
    path.write_bytes(raw)
    run_command("ingest_email", str(path))
    stored = InboundMessage.objects.latest("pk")
    assert stored.status == InboundMessage.Status.PROCESSED, stored.reason
    entry = stored.entry
    return Seen(
        title=stored.case.title,
        body=entry.body,
        files=[a.filename for a in entry.attachments.order_by("pk")],
        refused=[r["name"] for r in (entry.data or {}).get("refused_attachments", [])],
        case=stored.case,
    )


def part(content: str | bytes, subtype: str = "plain", **options) -> MIMEPart:
    """One MIME part: text of a subtype, or bytes of a type ("model/stl")."""
    piece = MIMEPart()
    if isinstance(content, str):
        piece.set_content(content, subtype=subtype, **options)
    else:
        maintype, _, subtype = subtype.partition("/")
        piece.set_content(content, maintype, subtype, **options)
    return piece


def named(piece: MIMEPart, name: str) -> MIMEPart:
    """A name in Content-Type only, no Content-Disposition (scanners, some clients)."""
    piece.set_param("name", name)
    return piece


def multipart(kind: str, *parts: MIMEPart) -> MIMEPart:
    """A part of `kind` (mixed, alternative, related) holding `parts`."""
    whole = MIMEPart()
    getattr(whole, f"make_{kind}")()
    for piece in parts:
        whole.attach(piece)
    return whole


def message(name: str, *parts: MIMEPart, kind: str = "mixed", **headers) -> bytes:
    """A message of `kind` (mixed, alternative, related) holding `parts`, from Alex."""
    mail = composed(name, subject=headers.pop("subject", f"Message {name}"), **headers)
    getattr(mail, f"make_{kind}")()
    for piece in parts:
        mail.attach(piece)
    return mail.as_bytes()


def by_hand(
    body: bytes, *headers: bytes, sender: bytes = b"Alex Kim <customer@example.test>"
) -> bytes:
    """Raw bytes as a mailer writes them, 8-bit header bytes included."""
    head = [b"From: " + sender, b"To: support@helpdesk.localhost", b"MIME-Version: 1.0", *headers]
    return b"\r\n".join([*head, b"Message-ID: <by-hand@mail.acme.example>"]) + b"\r\n\r\n" + body


def mixed_by_hand(*parts: bytes, headers: tuple[bytes, ...] = ()) -> bytes:
    """multipart/mixed by hand: each part its header lines, a blank line and its body."""
    body = b"".join(b"--p1\r\n" + piece + b"\r\n" for piece in parts) + b"--p1--\r\n"
    return by_hand(body, *headers, b'Content-Type: multipart/mixed; boundary="p1"')


def pdf_by_hand(filename: bytes) -> bytes:
    return (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="'
        + filename
        + b'"\r\n\r\n'
        + base64.encodebytes(PDF).replace(b"\n", b"\r\n")
    )


# --- 3. every readable part: the text in order, or a file -----------------------------------


def test_html_beside_plain_text_is_read_too_in_order(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "html-beside-plain",
            part("The badge reader at gate 2 is dead."),
            part("<p>Since <b>07:00</b> nobody gets in.</p>", "html"),
            part("Alex"),
        ),
    )

    assert seen.body == "The badge reader at gate 2 is dead.\n\nSince 07:00 nobody gets in.\n\nAlex"


def test_html_after_an_alternative_is_read_once_more_and_in_place(customer, tmp_path):
    """A list server appends its HTML footer to a text-and-HTML message."""
    seen = ingest(
        tmp_path,
        message(
            "alternative-then-html",
            multipart(
                "alternative",
                part("The lift in building B is stuck."),
                part("<p>The lift in building B is <i>stuck</i>.</p>", "html"),
            ),
            part("<p>Sent through the Acme facilities list</p>", "html"),
        ),
    )

    assert seen.body == (
        "The lift in building B is stuck.\n\nSent through the Acme facilities list"
    )


@pytest.mark.parametrize(
    ("alternatives", "words", "not_read"),
    [
        (
            [part("Plain: the fan is loud."), part("<p>HTML: the fan is loud.</p>", "html")],
            "Plain: the fan is loud.",
            "HTML",
        ),
        (
            [part("\n"), part("<p>Only the HTML has words.</p>", "html")],
            "Only the HTML has words.",
            "<p>",
        ),
        (
            [part("<bold>Enriched</bold> words.", "enriched"), part("<p>HTML words.</p>", "html")],
            "HTML words.",
            "Enriched",
        ),
        ([part("<bold>Enriched</bold> only.", "enriched")], "Enriched only.", "<bold>"),
    ],
    ids=["plain-preferred", "empty-plain-then-html", "html-before-enriched", "enriched-alone"],
)
def test_one_alternative_is_read_once(customer, tmp_path, alternatives, words, not_read):
    seen = ingest(tmp_path, message("alternatives", *alternatives, kind="alternative"))

    assert seen.body == words
    assert not_read not in seen.body


def test_enriched_text_loses_its_markup_and_keeps_its_words(customer, tmp_path):
    enriched = (
        "<bold>The printer</bold> on floor <color><param>red</param>3</color>\n"
        "is offline.\n\n"
        "It says <<PC LOAD LETTER>.\n"
    )

    seen = ingest(tmp_path, message("enriched", part(enriched, "enriched")))

    assert seen.body == "The printer on floor 3 is offline.\nIt says <PC LOAD LETTER>."


@pytest.mark.parametrize(
    ("subtype", "words"),
    [
        ("markdown", "# Steps\n\n1. Open the app\n2. It crashes"),
        ("x-log", "2025-03-04 10:12 ERROR sync failed: timeout"),
        ("x-diff", "-timeout = 5\n+timeout = 30"),
        ("x-unknown-prose", "Words in a type nobody registered."),
    ],
    ids=["markdown", "x-log", "x-diff", "x-unknown-prose"],
)
def test_other_inline_text_is_read_as_text(customer, tmp_path, subtype, words):
    seen = ingest(
        tmp_path,
        message(f"text-{subtype}", part("Details below."), part(words + "\n", subtype)),
    )

    assert seen.body == f"Details below.\n\n{words}"
    assert seen.listed == []


@pytest.mark.parametrize(
    ("subtype", "content", "name"),
    [
        ("calendar", "BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n", "invite.ics"),
        ("csv", "room,seats\n4,12\n", "attachment.csv"),
        ("x-vcard", "BEGIN:VCARD\nFN:Alex Kim\nEND:VCARD\n", "attachment.vcf"),
        ("vcard", "BEGIN:VCARD\nFN:Alex Kim\nEND:VCARD\n", "attachment.vcf"),
        ("tab-separated-values", "room\tseats\n4\t12\n", "attachment.tsv"),
    ],
    ids=["calendar", "csv", "x-vcard", "vcard", "tab-separated-values"],
)
def test_data_written_as_text_is_a_file(customer, tmp_path, subtype, content, name):
    seen = ingest(
        tmp_path, message(f"data-{subtype}", part("Details attached."), part(content, subtype))
    )

    assert seen.body == "Details attached."
    assert seen.listed == [name]


def test_a_meeting_request_keeps_its_invitation(customer, tmp_path, settings):
    """Outlook: text, HTML and the calendar as three alternatives."""
    settings.ALLOWED_ATTACHMENT_TYPES = [*settings.ALLOWED_ATTACHMENT_TYPES, "text/calendar"]
    invitation = "BEGIN:VCALENDAR\nMETHOD:REQUEST\nSUMMARY:Printer handover\nEND:VCALENDAR\n"
    calendar = part(invitation, "calendar", params={"method": "REQUEST"})

    seen = ingest(
        tmp_path,
        message(
            "meeting-request",
            part("Can we meet on Friday for the printer handover?"),
            part("<p>Can we meet on Friday for the printer handover?</p>", "html"),
            calendar,
            kind="alternative",
        ),
    )

    assert seen.body == "Can we meet on Friday for the printer handover?"
    assert seen.files == ["invite.ics"]
    attachment = seen.case.attachments.get()
    assert attachment.content_type == "text/calendar"
    with attachment.file.open("rb") as stored:
        assert b"SUMMARY:Printer handover" in stored.read()


@pytest.mark.parametrize(
    ("content_type", "name"),
    [
        ("x-acme/machine-config", "attachment.machine-config"),
        ("model/stl", "attachment.stl"),
        ("font/woff2", "attachment.woff2"),
        ("application/x-never-heard-of", "attachment.x-never-heard-of"),
        ("application/vnd.acme.sensor-dump", "attachment.vnd.acme.sensor-dump"),
    ],
)
def test_a_part_of_any_other_type_is_a_file(customer, tmp_path, content_type, name):
    seen = ingest(
        tmp_path,
        message(f"type-{name}", part("The part is attached."), part(b"\x00\x01data", content_type)),
    )

    assert seen.body == "The part is attached."
    assert seen.listed == [name]


def test_a_forwarded_bounce_keeps_its_delivery_report(customer, tmp_path):
    """A person forwards a delivery report: the report is a file, not lost in parsing."""
    raw = mixed_by_hand(
        b"Content-Type: text/plain\r\n\r\nOur mail to the supplier bounced, see the report.",
        b"Content-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.acme.example\r\n\r\n"
        b"Final-Recipient: rfc822; orders@supplier.example\r\nAction: failed\r\n",
        headers=(b"Subject: Bounce from the supplier",),
    )

    seen = ingest(tmp_path, raw)

    assert seen.body == "Our mail to the supplier bounced, see the report."
    assert seen.listed == ["attachment.delivery-status"]


# --- 4. an inline text part with a file name is the message ---------------------------------


def test_an_inline_text_part_with_a_file_name_is_the_message(customer, tmp_path):
    body = part("The monitor in room 7 flickers.\n", disposition="inline", filename="notes.txt")

    seen = ingest(tmp_path, message("inline-named-body", body))

    assert seen.body == "The monitor in room 7 flickers."
    assert seen.listed == []


def test_an_inline_named_text_beside_a_photo_is_the_message(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "inline-named-with-photo",
            part("Water again, photo below.\n", disposition="inline", filename="Message.txt"),
            part(PNG, "image/png", disposition="inline", filename="fridge.png"),
            part("It is getting worse.\n", disposition="inline", filename="Message2.txt"),
        ),
    )

    assert seen.body == "Water again, photo below.\n\nIt is getting worse."
    assert seen.files == ["fridge.png"]


def test_an_inline_named_html_part_is_read_as_text(customer, tmp_path):
    html = part(
        "<p>The <b>scanner</b> jams.</p>", "html", disposition="inline", filename="body.html"
    )

    seen = ingest(tmp_path, message("inline-named-html", html))

    assert seen.body == "The scanner jams."
    assert seen.listed == []


def test_a_text_attachment_stays_a_file(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "text-attachment",
            part("The sync log is attached.\n"),
            part("10:12 ERROR timeout\n", disposition="attachment", filename="sync.txt"),
        ),
    )

    assert seen.body == "The sync log is attached."
    assert seen.files == ["sync.txt"]


def test_a_named_text_without_disposition_is_a_file_beside_other_text(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "named-beside-text",
            part("The error log is attached.\n"),
            named(part("10:12 ERROR timeout\n"), "error.log.txt"),
        ),
    )

    assert seen.body == "The error log is attached."
    assert seen.files == ["error.log.txt"]


def test_a_named_text_without_disposition_is_the_message_when_alone(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "named-alone",
            named(part("The door in hall B does not lock.\n"), "body.txt"),
            part(PDF, "application/pdf", filename="plan.pdf"),
        ),
    )

    assert seen.body == "The door in hall B does not lock."
    assert seen.files == ["plan.pdf"]


# --- 5. forwarded mail in a reply is kept, our quoted email is not ---------------------------

SUPPLIER_HEADERS = (
    "From: Parts Desk <orders@supplier.example>\n"
    "Date: Mon, 3 Mar 2025 at 08:15\n"
    "Subject: Battery back-ordered\n"
    "To: Alex Kim <customer@example.test>\n\n"
    "The replacement battery is back-ordered until April.\n\n"
    "Regards,\nParts Desk\n\n"
)
OUR_QUOTE = (
    "On Mon, 3 Mar 2025 at 09:00, Support <support@helpdesk.localhost> wrote:\n"
    "> Please try the BIOS update from our download page.\n>\n> Dana\n"
)
FORWARDS = {
    "gmail": "---------- Forwarded message ---------\n",
    "apple": "Begin forwarded message:\n\n",
    "thunderbird": "-------- Forwarded Message --------\n",
    "gmail-german": "---------- Weitergeleitete Nachricht ---------\n",
}


@pytest.mark.parametrize("client", FORWARDS)
def test_a_reply_keeps_the_mail_it_forwards_and_drops_our_quote(case, context, tmp_path, client):
    text = (
        "The supplier says the battery is late, see below.\n\n"
        + FORWARDS[client]
        + SUPPLIER_HEADERS
        + OUR_QUOTE
    )
    reply = composed(
        f"forward-{client}", subject="Re: Laptop will not charge", In_Reply_To=context.notice()
    )
    reply.set_content(text)

    seen = ingest(tmp_path, reply.as_bytes())

    assert seen.case == case
    assert seen.body.startswith("The supplier says the battery is late, see below.\n\n")
    assert FORWARDS[client].strip() in seen.body
    assert "From: Parts Desk <orders@supplier.example>" in seen.body
    assert seen.body.endswith(
        "The replacement battery is back-ordered until April.\n\nRegards,\nParts Desk"
    )
    assert "Please try the BIOS update" not in seen.body
    assert "wrote:" not in seen.body


def test_a_forward_inside_our_quoted_history_is_still_cut(case, context, tmp_path):
    """An Outlook reply quotes the thread without `>`: a forward down there is history."""
    reply = composed(
        "outlook-history", subject="RE: Laptop will not charge", References=context.thread()
    )
    reply.set_content(
        "Still not charging.\n\n"
        "-----Original Message-----\n"
        "From: Helpdesk <support@helpdesk.localhost>\n"
        "Sent: Tuesday, March 4, 2025 10:12 AM\n"
        "Subject: Laptop will not charge\n\n"
        "Please try the BIOS update from our download page.\n\n"
        "---------- Forwarded message ---------\n" + SUPPLIER_HEADERS
    )

    seen = ingest(tmp_path, reply.as_bytes())

    assert seen.body == "Still not charging."


def test_a_quoted_forward_is_quoted_history(case, context, tmp_path):
    reply = composed("quoted-forward", subject="Re: Laptop", In_Reply_To=context.notice())
    reply.set_content(
        "Thanks, that helped.\n\n"
        "On Mon, 3 Mar 2025 at 09:00, Support <support@helpdesk.localhost> wrote:\n"
        "> ---------- Forwarded message ---------\n"
        "> From: Parts Desk <orders@supplier.example>\n>\n"
        "> The replacement battery is back-ordered until April.\n"
    )

    seen = ingest(tmp_path, reply.as_bytes())

    assert seen.body == "Thanks, that helped."


def test_strip_reply_keeps_an_outlook_forward_when_the_subject_says_so():
    text = (
        "See what the supplier wrote.\n\n"
        "________________________________\n"
        "From: Parts Desk <orders@supplier.example>\n"
        "Sent: Monday, March 3, 2025 08:15\n"
        "Subject: Battery back-ordered\n\n"
        "The replacement battery is back-ordered until April.\n"
    )

    assert strip_reply(text) == "See what the supplier wrote."
    forwarded = strip_reply(text, subject="FW: Battery back-ordered")
    assert forwarded.startswith("See what the supplier wrote.\n\n____")
    assert forwarded.endswith("back-ordered until April.")


def test_strip_reply_keeps_a_forward_without_words_of_the_customers_own():
    text = "Begin forwarded message:\n\n" + SUPPLIER_HEADERS + "\n> On Mon, Support wrote:\n> Hi\n"

    kept = strip_reply(text)

    assert kept.startswith("Begin forwarded message:\n\nFrom: Parts Desk")
    assert kept.endswith("Parts Desk")


# --- 7. raw 8-bit headers and bodies without a charset --------------------------------------


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        (b"Forma\xe7\xe3o em Excel", "Formação em Excel"),  # Latin-1 bytes
        ("Formação em Excel".encode(), "Formação em Excel"),  # UTF-8 bytes
        ("“Formação” – 80 €".encode("cp1252"), "“Formação” – 80 €"),  # Windows-1252 bytes
        (b"=?utf-8?q?Forma=C3=A7=C3=A3o?= em Excel", "Formação em Excel"),  # done right
    ],
    ids=["latin-1", "utf-8", "windows-1252", "encoded-words"],
)
def test_a_raw_8bit_subject_reads_as_written(acme, tmp_path, subject, title):
    raw = by_hand(
        "A formação começa na segunda.\r\n".encode(),
        b"Subject: " + subject,
        b"Content-Type: text/plain; charset=utf-8",
        sender=b"Jo\xe3o Silva <joao@acme.example>",
    )

    seen = ingest(tmp_path, raw)

    assert seen.title == title
    assert seen.case.customer.full_name == "João Silva"
    assert seen.body == "A formação começa na segunda."
    stored = InboundMessage.objects.get()
    assert stored.subject == title
    assert stored.sender == "João Silva <joao@acme.example>"


@pytest.mark.parametrize(
    ("content_type", "body", "words"),
    [
        (b"text/plain", b"Curso de Forma\xe7\xe3o", "Curso de Formação"),
        (b"text/plain", "Curso de Formação".encode(), "Curso de Formação"),
        (b"text/plain; charset=x-unknown", b"Curso de Forma\xe7\xe3o", "Curso de Formação"),
        (b"text/plain; charset=us-ascii", b"Curso de Forma\xe7\xe3o", "Curso de Formação"),
        (b"text/plain; charset=utf-8", b"Preis: 80 \x80, \x93bar\x94", "Preis: 80 €, “bar”"),
        (b"text/html", b"<p>Curso de <b>Forma\xe7\xe3o</b></p>", "Curso de Formação"),
    ],
    ids=["latin-1-no-charset", "utf-8-no-charset", "unknown", "ascii-label", "utf-8-lie", "html"],
)
def test_an_8bit_body_without_a_usable_charset_reads_as_written(
    customer, tmp_path, content_type, body, words
):
    raw = by_hand(
        body + b"\r\n",
        b"Subject: Training",
        b"Content-Type: " + content_type,
        b"Content-Transfer-Encoding: 8bit",
    )

    assert ingest(tmp_path, raw).body == words


def test_a_raw_8bit_file_name_reads_as_written(customer, tmp_path):
    raw = mixed_by_hand(
        b"Content-Type: text/plain\r\n\r\nThe certificate is attached.",
        pdf_by_hand(b"Forma\xe7\xe3o.pdf"),
        headers=(b"Subject: Certificate",),
    )

    assert ingest(tmp_path, raw).files == ["Formação.pdf"]


@pytest.mark.parametrize(
    ("raw_value", "text"),
    [
        (b"Forma\xe7\xe3o", "Formação"),
        (b"Forma\xc3\xa7\xc3\xa3o", "Formação"),
        (b"=?iso-8859-1?q?Forma=E7=E3o?= \xe9", "Formação é"),
        (b"caf\x81", "caf\x81"),  # a byte Windows-1252 leaves undefined: Latin-1
        (b"plain ascii", "plain ascii"),
    ],
)
def test_header_decodes_raw_8bit_bytes(raw_value, text):
    headers = BytesHeaderParser(policy=default).parsebytes(b"Subject: " + raw_value + b"\r\n\r\n")

    assert mail_parsing.header(headers, "Subject") == text
    assert mail_parsing.header(headers, "X-Missing") == ""


# --- 9. one unusable attachment never holds the message back --------------------------------


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("scans/", "scans"),
        ("../../", "attachment.pdf"),
        (".", "attachment.pdf"),
        ("..", "attachment.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\alex\\Desktop\\report.pdf", "report.pdf"),
        ("reports/2025/", "2025"),
        ("\u202etxt.exe.pdf", "txt.exe.pdf"),  # a right-to-left override cannot disguise it
        ("  ", "attachment.pdf"),
    ],
)
def test_an_unusable_file_name_is_replaced_and_the_message_read(
    customer, tmp_path, filename, stored_as
):
    seen = ingest(
        tmp_path,
        message(
            f"bad-name-{stored_as}-{len(filename)}",
            part("The scan is attached.\n"),
            part(PDF, "application/pdf", filename=filename),
        ),
    )

    assert seen.body == "The scan is attached."
    assert seen.listed == [stored_as]


def test_an_attachment_that_cannot_be_decoded_is_noted_and_the_rest_kept(case, context, tmp_path):
    raw = mixed_by_hand(
        b"Content-Type: text/plain\r\n\r\n"
        b"The supplier's mail and the invoice are attached.\r\n\r\n"
        b"On Mon, 3 Mar 2025 at 09:00, Support <support@helpdesk.localhost> wrote:\r\n"
        b"> Please try the BIOS update from our download page.",
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"RnJvbTogb3JkZXJzQHN1cHBsaWVyLmV4YW1wbGUNCg0KSGk",  # cut short: not base64
        pdf_by_hand(b"invoice.pdf"),
        headers=(
            b"Subject: Re: Laptop will not charge",
            b"In-Reply-To: " + context.notice().encode(),
        ),
    )

    seen = ingest(tmp_path, raw)

    assert seen.case == case
    assert seen.body == (
        "The supplier's mail and the invoice are attached.\n\n"
        "(An attachment could not be read: a forwarded message in broken base64 "
        "(Incorrect padding))"
    )
    assert seen.files == ["invoice.pdf"]


def test_a_forwarded_message_in_base64_is_stored_decoded(customer, tmp_path):
    inner = b"From: orders@supplier.example\r\nSubject: Shipped\r\n\r\nYour order has shipped.\r\n"
    raw = mixed_by_hand(
        b"Content-Type: text/plain\r\n\r\nForwarding the supplier's mail.",
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(inner).replace(b"\n", b"\r\n"),
        headers=(b"Subject: Fwd: Shipped",),
    )

    seen = ingest(tmp_path, raw)

    assert seen.files == ["forwarded-message.eml"]
    with seen.case.attachments.get().file.open("rb") as stored:
        assert stored.read() == inner


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("scans/", "scans"),
        ("a/b\\c.pdf", "c.pdf"),
        ("..\\..\\", ""),
        (".", ""),
        ("..", ""),
        ("", ""),
        ("summary\t\x00.pdf", "summary.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_safe_name_keeps_the_last_usable_segment(name, safe):
    assert safe_name(name) == safe


def test_a_message_with_only_unusable_names_still_opens_a_case(customer, tmp_path):
    seen = ingest(
        tmp_path,
        message(
            "only-bad-names",
            part("Two scans.\n"),
            part(PNG, "image/png", filename="scans/"),
            part(PNG, "image/png", filename="../"),
        ),
    )

    assert seen.body == "Two scans."
    assert seen.files == ["scans", "attachment.png"]
