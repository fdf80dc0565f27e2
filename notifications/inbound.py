"""Inbound email: every way in (command, IMAP, HTTP) hands raw bytes to `receive`.

1. The raw message is stored first, under a unique (mailbox, Message-ID): a redelivery is
   a no-op, and nothing received is ever lost.
2. It is parsed with the standard library (policy `default`) within configured limits
   (size, parts, nesting); anything that cannot be handled is quarantined with its reason.
3. Auto-replies and bounces are recorded and never answered; they never reopen a case.
4. The sender is found (a known customer, or a new customer of the organisation owning
   the sender's mail domain); strangers are quarantined for an agent to accept or reject.
5. Threading, in order: In-Reply-To/References to a Message-ID we sent; the signed reply
   address we put in Reply-To; the [C-000123] subject tag. Each only counts when the
   sender belongs to the case's organisation: a forged token or a stranger's tag never
   writes into someone else's case.
"""

import email
import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

import nh3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from mailparser_reply import EmailReplyParser

from cases import services
from cases.models import Case, Status, parse_reference
from helpdesk.accounts.models import Organization, User
from notifications import addresses
from notifications.models import InboundMessage, Notice

log = logging.getLogger(__name__)

OUR_ID = re.compile(r"<(notice|case)-(\d+)@([^>]+)>")
SUBJECT_TAG = re.compile(r"\[(C-\d{1,12})\]", re.IGNORECASE)
SIGNATURE = re.compile(r"^(-- ?|—\s*|Sent from my .*)$", re.MULTILINE)
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")
HANDLED = {
    InboundMessage.Status.PROCESSED,
    InboundMessage.Status.IGNORED,
    InboundMessage.Status.REJECTED,
}


class Quarantine(Exception):
    """The message waits for a person; the text says why."""


@dataclass
class Parsed:
    message: EmailMessage
    sender: str
    sender_name: str
    subject: str
    text: str
    files: list[SimpleUploadedFile] = field(default_factory=list)


# --- receiving -------------------------------------------------------------------------------


def receive(raw: bytes, *, mailbox: str = "default") -> InboundMessage:
    """Store the raw message once, then handle it. Safe to call again with the same mail."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw[: 256 * 1024])
    message_id = _message_id(headers, raw)
    try:
        with transaction.atomic():
            stored = InboundMessage(
                mailbox=mailbox,
                message_id=message_id,
                size=len(raw),
                sender=_header(headers, "From")[:320],
                subject=_header(headers, "Subject")[:500],
            )
            stored.raw.save(f"{hashlib.sha256(raw).hexdigest()}.eml", ContentFile(raw), save=False)
            stored.save()
    except IntegrityError:
        stored.raw.delete(save=False)  # the copy of a redelivery; the first one is kept
        existing = InboundMessage.objects.get(mailbox=mailbox, message_id=message_id)
        if existing.status == InboundMessage.Status.RECEIVED:
            # Stored, but its handling never finished (the process died): finish it now.
            process(existing)
        return existing
    process(stored)
    return stored


def _header(message, name: str) -> str:
    """A header as text; the raw value when the standard parser chokes on it.

    policy.default raises (IndexError, AttributeError, …) on some malformed address
    headers, e.g. `From: noreply@`: such mail must still be stored and handled.
    """
    try:
        value = str(message.get(name, "") or "")
    except Exception:
        raw = (str(v) for k, v in message.raw_items() if k.lower() == name.lower())
        value = next(raw, "")
    return value.replace("\x00", "")  # PostgreSQL text cannot hold NUL


def _safe_name(name: str, limit: int = 200) -> str:
    """A file name to show: no control characters, short enough, its extension kept."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def _message_id(headers, raw: bytes) -> str:
    found = _header(headers, "Message-ID").strip()
    if len(found.encode()) > 900:
        # Longer than PostgreSQL's unique index can hold: its hash identifies it as well.
        return f"<sha256-{hashlib.sha256(found.encode()).hexdigest()}@long-message-id>"
    if found:
        return found
    # No Message-ID: the content itself identifies a redelivery.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"


def process(stored: InboundMessage) -> InboundMessage:
    """Handle a stored message; a failure quarantines it with the reason, never drops it."""
    stored.attempts += 1
    try:
        with transaction.atomic():
            # One handler at a time: a concurrent redelivery waits here, then finds it done.
            status = (
                InboundMessage.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=stored.pk)
            )
            if status in HANDLED:
                stored.refresh_from_db()
                return stored
            _handle(stored)
    except Quarantine as exc:
        _finish(stored, InboundMessage.Status.QUARANTINED, str(exc))
    except Exception as exc:  # a bug or broken input: keep it for a retry after a fix
        log.exception("Inbound message %s could not be handled", stored.pk)
        _finish(stored, InboundMessage.Status.QUARANTINED, f"Could not be read: {exc!r}"[:2000])
    return stored


def _finish(stored: InboundMessage, status: str, reason: str = "", **fields) -> None:
    stored.status = status
    stored.reason = reason
    stored.processed = timezone.now()
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.save()


def _handle(stored: InboundMessage) -> None:
    if stored.size > settings.INBOUND_MAX_BYTES:
        raise Quarantine(
            f"Too large: {stored.size:,} bytes (the limit is {settings.INBOUND_MAX_BYTES:,})."
        )
    with stored.raw.open("rb") as source:
        raw = source.read()
    message = email.message_from_bytes(raw, policy=policy.default)
    _check_shape(message)
    parsed = _parse(message)
    if _is_automatic(message, parsed.sender):
        case = _thread(message, parsed, customer=None)
        _finish(
            stored,
            InboundMessage.Status.IGNORED,
            "Auto-reply or delivery report: recorded, not answered.",
            case=case,
        )
        return
    customer = _customer_for(parsed)
    case = _thread(message, parsed, customer=customer)
    if case is not None:
        entry = services.add_customer_message(
            case=case,
            acting_user=customer,
            body=_strip_reply(parsed.text) or "(The message had no text.)",
            files=parsed.files,
            by_email=True,
        )
    else:
        case = services.report_case(
            acting_user=customer,
            title=(parsed.subject or "Message without a subject")[:200],
            description=parsed.text or "(The message had no text.)",
            files=parsed.files,
            channel="email",
        )
        entry = case.timeline.order_by("pk").first()
    _finish(stored, InboundMessage.Status.PROCESSED, case=case, entry=entry)


def _check_shape(message: EmailMessage) -> None:
    """Bounded work whatever arrives: too many parts or too deep a nesting is refused."""
    parts, stack = 0, [(message, 0)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        if depth > settings.INBOUND_MAX_DEPTH:
            raise Quarantine(f"MIME nesting deeper than {settings.INBOUND_MAX_DEPTH} levels.")
        if parts > settings.INBOUND_MAX_PARTS:
            raise Quarantine(f"More than {settings.INBOUND_MAX_PARTS} MIME parts.")
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend((child, depth + 1) for child in payload)


def _parse(message: EmailMessage) -> Parsed:
    name, sender = parseaddr(_header(message, "From"))
    subject = " ".join(_header(message, "Subject").split())
    text, html = "", ""
    files: list[SimpleUploadedFile] = []
    for part in _leaves(message):
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        # A named part is a file even without Content-Disposition (Outlook, scanners).
        if content_type == "message/rfc822" or disposition == "attachment" or part.get_filename():
            files.append(_file(part))
        elif content_type == "text/plain":
            # Apple Mail splits the text around an inline photo: every piece is the message.
            text = "\n\n".join(p.strip() for p in (text, _text(part)) if p.strip())
        elif content_type == "text/html" and not html:
            html = _text(part)
        elif part.get_content_maintype() == "multipart" and not text:
            # A multipart without a (usable) boundary: the parser left its body as one string.
            text = _text(part)
        elif part.get_content_maintype() in ("image", "application", "audio", "video"):
            files.append(_file(part))
    if not text and html:
        text = html_to_text(html)
    text = text.replace("\x00", "").strip()
    return Parsed(message, sender.lower(), name, subject, text, files)


def _leaves(message: EmailMessage):
    """Every non-multipart part, attached messages kept whole, signatures skipped."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        content_type = part.get_content_type()
        if content_type == "multipart/signed":
            payload = part.get_payload()
            stack[:0] = payload[:1] if isinstance(payload, list) else []
        elif part.is_multipart() and content_type != "message/rfc822":
            payload = part.get_payload()
            stack[:0] = payload if isinstance(payload, list) else []
        elif content_type in ("application/pgp-signature", "application/pkcs7-signature"):
            continue
        else:
            yield part


def _text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        # An unknown or lying charset: decode what is there rather than lose it.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def html_to_text(html: str) -> str:
    """HTML-only mail: keep the words, drop the markup (nothing of it is ever rendered)."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", html)
    # Table cells side by side stay apart: "Room 5 booked", not "Room 5booked".
    spaced = re.sub(r"(?i)<\s*/t[dh]\b[^>]*>", " ", spaced)
    cleaned = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style", "head"})
    import html as html_module

    # Outlook writes most spaces as &nbsp;: plain spaces again, so the words read as words.
    text = html_module.unescape(cleaned).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def _file(part) -> SimpleUploadedFile:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        content = (inner[0] if isinstance(inner, list) else inner).as_bytes()
        name = _safe_name(part.get_filename() or "", limit=196) or "forwarded-message"
        if not name.lower().endswith(".eml"):
            name += ".eml"  # opens in a mail client when downloaded
        return SimpleUploadedFile(name, content, content_type="message/rfc822")
    content = part.get_payload(decode=True) or b""
    name = _safe_name(part.get_filename() or "") or f"attachment.{part.get_content_subtype()}"
    return SimpleUploadedFile(name, content, content_type=part.get_content_type())


def _is_automatic(message: EmailMessage, sender: str) -> bool:
    auto_submitted = (_header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (
        auto_submitted not in ("", "no")
        or precedence in AUTO_PRECEDENCE
        or message.get_content_type() == "multipart/report"
        or bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
        or sender.startswith(BOUNCE_SENDERS)
    )


def _customer_for(parsed: Parsed) -> User:
    if not parsed.sender or "@" not in parsed.sender:
        raise Quarantine("No usable sender address.")
    user = User.objects.filter(email__iexact=parsed.sender).first()
    if user is not None:
        if not (user.is_active and user.is_customer):
            raise Quarantine(f"{parsed.sender} is not an active customer.")
        return user
    domain = parsed.sender.rpartition("@")[2]
    organization = organization_for_domain(domain)
    if organization is None:
        raise Quarantine(f"Unknown sender {parsed.sender}: accept it to create the customer.")
    return User.objects.create_user(
        parsed.sender,
        None,
        full_name=(parsed.sender_name or parsed.sender.partition("@")[0])[:150],
        organization=organization,
    )


def organization_for_domain(domain: str) -> Organization | None:
    domain = domain.lower().strip()
    for organization in Organization.objects.exclude(email_domains=""):
        domains = {d.strip().lower() for d in organization.email_domains.split(",")}
        if domain in domains:
            return organization
    return None


def _thread(message: EmailMessage, parsed: Parsed, *, customer: User | None) -> Case | None:
    """The case this message continues, if the sender may write on it."""
    for case_id in _candidates(message, parsed):
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            continue
        if customer is None:
            return case  # an auto-reply: only recorded against the case, nothing written
        # The cases the sender could open in the portal: their organisation's, or only
        # their own where the organisation keeps each customer's cases private.
        if Case.objects.visible_to(customer).filter(pk=case.pk).exists():
            return case
    return None


def _candidates(message: EmailMessage, parsed: Parsed):
    ids = " ".join(_header(message, h) for h in ("In-Reply-To", "References"))
    domain = settings.MESSAGE_ID_DOMAIN
    for kind, number, host in OUR_ID.findall(ids):
        if host != domain:
            continue
        if kind == "case":
            yield int(number)
        else:
            case_id = (
                Notice.objects.filter(pk=int(number)).values_list("case_id", flat=True).first()
            )
            if case_id:
                yield case_id
    local, _, our_domain = settings.INBOUND_ADDRESS.partition("@")
    recipients = getaddresses(
        [_header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
    )
    for _name, address in recipients:
        user, _, host = address.lower().partition("@")
        if host == our_domain.lower() and user.startswith(f"{local.lower()}+"):
            case_id = addresses.case_from_token(user.partition("+")[2])
            if case_id:  # a forged token yields nothing
                yield case_id
    for tag in SUBJECT_TAG.findall(parsed.subject):
        number = parse_reference(tag)
        if number:
            yield number


def _strip_reply(text: str) -> str:
    latest = EmailReplyParser(languages=["en", "de", "fr", "es"]).parse_reply(text=text) or text
    match = SIGNATURE.search(latest)
    if match and match.start() > 0:
        latest = latest[: match.start()]
    return latest.strip()


# --- quarantine decisions ------------------------------------------------------------------------


def accept(stored: InboundMessage, *, organization: Organization, acting_user: User) -> None:
    """An agent accepts a stranger's mail: the sender becomes a customer, then it is read."""
    if not acting_user.is_agent:
        raise services.NotAllowed("Only agents handle quarantined mail.")
    _name, sender = parseaddr(stored.sender)
    sender = sender.lower()
    if sender and not User.objects.filter(email__iexact=sender).exists():
        User.objects.create_user(
            sender,
            None,
            full_name=(_name or sender.partition("@")[0])[:150],
            organization=organization,
        )
    process(stored)


def reject(stored: InboundMessage, *, acting_user: User) -> None:
    if not acting_user.is_agent:
        raise services.NotAllowed("Only agents handle quarantined mail.")
    _finish(stored, InboundMessage.Status.REJECTED, f"Rejected by {acting_user.full_name}.")


__all__ = ["Status", "accept", "process", "receive", "reject"]
