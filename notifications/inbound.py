"""Inbound email: every way in (command, IMAP, HTTP) hands raw bytes to `receive`.

1. The raw message is stored first, under a unique (mailbox, Message-ID, content hash): a
   redelivery is a no-op, a different message reusing an ID is its own message, and
   nothing received is ever lost.
2. It is parsed with the standard library (policy `default`) within configured limits
   (size, parts, nesting); anything that cannot be handled is quarantined with its reason.
3. Auto-replies and bounces (`notifications.automatic`) are recorded, listed for agents
   with the reason, and never answered; they never reopen a case.
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
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.models import Case, Status, parse_reference
from helpdesk.accounts.models import Organization, User
from notifications import addresses, mail_parsing
from notifications.automatic import why_automatic
from notifications.mail_parsing import Parsed, Quarantine
from notifications.models import InboundMessage, Notice

log = logging.getLogger(__name__)

OUR_ID = re.compile(r"<(notice|case)-(\d+)@([^>]+)>")
SUBJECT_TAG = re.compile(r"\[(C-\d{1,12})\]", re.IGNORECASE)
HANDLED = {
    InboundMessage.Status.PROCESSED,
    InboundMessage.Status.IGNORED,
    InboundMessage.Status.REJECTED,
}


# --- receiving -------------------------------------------------------------------------------


def receive(raw: bytes, *, mailbox: str = "default") -> InboundMessage:
    """Store the raw message once, then handle it. Safe to call again with the same mail.

    A redelivery is the same Message-ID with the same content: it finds the stored row.
    A different message that reuses a known Message-ID (a resent copy, a broken client)
    is stored and handled as its own, with the earlier message recorded on it.
    """
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw[: 256 * 1024])
    message_id = _message_id(headers, raw)
    digest = content_hash(raw)
    earlier = (
        InboundMessage.objects.filter(mailbox=mailbox, message_id=message_id)
        .exclude(content_sha256=digest)
        .order_by("pk")
        .first()
    )
    try:
        with transaction.atomic():
            stored = InboundMessage(
                mailbox=mailbox,
                message_id=message_id,
                content_sha256=digest,
                reuses_message_id_of=earlier,
                size=len(raw),
                sender=mail_parsing.header(headers, "From")[:320],
                subject=mail_parsing.header(headers, "Subject")[:500],
            )
            stored.raw.save(f"{hashlib.sha256(raw).hexdigest()}.eml", ContentFile(raw), save=False)
            stored.save()
    except IntegrityError:
        stored.raw.delete(save=False)  # the copy of a redelivery; the first one is kept
        existing = InboundMessage.objects.get(
            mailbox=mailbox, message_id=message_id, content_sha256=digest
        )
        if existing.status == InboundMessage.Status.RECEIVED:
            # Stored, but its handling never finished (the process died): finish it now.
            process(existing)
        existing.redelivered = True
        return existing
    process(stored)
    return stored


# What makes two deliveries the same message: what its author wrote, not the trace each
# relay adds on the way (Received, Return-Path, Delivered-To, authentication results).
IDENTITY_HEADERS = (
    "from", "sender", "to", "cc", "subject", "date", "message-id", "in-reply-to",
    "references", "mime-version", "content-type", "content-transfer-encoding",
)  # fmt: skip


def content_hash(raw: bytes) -> str:
    """The SHA-256 of a message's own headers (and any Resent-* ones) and its body."""
    head, _blank, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    kept = []
    for name, value in BytesHeaderParser(policy=policy.compat32).parsebytes(head + b"\n\n").items():
        lowered = name.lower()
        if lowered in IDENTITY_HEADERS or lowered.startswith("resent-"):
            kept.append(f"{lowered}:{' '.join(str(value).split())}")
    digest = hashlib.sha256("\n".join(sorted(kept)).encode("utf-8", "surrogateescape"))
    digest.update(b"\n\n" + body)
    return digest.hexdigest()


def _message_id(headers, raw: bytes) -> str:
    found = mail_parsing.header(headers, "Message-ID").strip()
    if len(found.encode()) > 900:
        # Longer than PostgreSQL's unique index can hold: its hash identifies it as well.
        return f"<sha256-{hashlib.sha256(found.encode()).hexdigest()}@long-message-id>"
    if found:
        return found
    # No Message-ID: the content itself identifies a redelivery.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"


def process(stored: InboundMessage, *, as_customer: User | None = None) -> InboundMessage:
    """Handle a stored message; a failure quarantines it with the reason, never drops it.

    `as_customer`: an agent decided whose message it is (the mail quarantine).
    """
    stored.attempts += 1
    try:
        with transaction.atomic():
            # One handler at a time: a concurrent redelivery waits here, then finds it done.
            status = (
                InboundMessage.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=stored.pk)
            )
            # An ignored auto-reply may still be read as a customer's mail by an agent.
            reread = status == InboundMessage.Status.IGNORED and as_customer is not None
            if status in HANDLED and not reread:
                stored.refresh_from_db()
                return stored
            _handle(stored, as_customer=as_customer)
    except Quarantine as exc:
        finish(stored, InboundMessage.Status.QUARANTINED, str(exc))
    except Exception as exc:  # a bug or broken input: keep it for a retry after a fix
        log.exception("Inbound message %s could not be handled", stored.pk)
        finish(stored, InboundMessage.Status.QUARANTINED, f"Could not be read: {exc!r}"[:2000])
    return stored


def finish(stored: InboundMessage, status: str, reason: str = "", **fields) -> None:
    """Record what became of a stored message."""
    stored.status = status
    stored.reason = reason
    stored.processed = timezone.now()
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.save()


def _handle(stored: InboundMessage, *, as_customer: User | None = None) -> None:
    if stored.size > settings.INBOUND_MAX_BYTES:
        raise Quarantine(
            f"Too large: {stored.size:,} bytes (the limit is {settings.INBOUND_MAX_BYTES:,})."
        )
    message, parsed = read(stored)
    if as_customer is None:
        known = User.objects.filter(email__iexact=parsed.sender, is_active=True).exists()
        reason = why_automatic(message, parsed.sender, known_sender=known)
        if reason:
            case = _thread(message, parsed, customer=None)
            finish(stored, InboundMessage.Status.IGNORED, reason, case=case)
            return
    customer = as_customer or _customer_for(parsed)
    case = _thread(message, parsed, customer=customer)
    if case is not None:
        entry = services.add_customer_message(
            case=case,
            acting_user=customer,
            body=mail_parsing.strip_reply(parsed.text, subject=parsed.subject)
            or "(The message had no text.)",
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
            mailbox=stored.mailbox,
        )
        entry = case.timeline.order_by("pk").first()
    finish(stored, InboundMessage.Status.PROCESSED, case=case, entry=entry)


def read(stored: InboundMessage) -> tuple[EmailMessage, Parsed]:
    """The stored message parsed within the limits (Quarantine when it cannot be)."""
    with stored.raw.open("rb") as source:
        raw = source.read()
    message = email.message_from_bytes(raw, policy=policy.default)
    mail_parsing.check_shape(message)
    return message, mail_parsing.parse(message)


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
    ids = " ".join(mail_parsing.header(message, h) for h in ("In-Reply-To", "References"))
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
        [mail_parsing.header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
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


__all__ = [
    "Status",
    "content_hash",
    "finish",
    "organization_for_domain",
    "process",
    "read",
    "receive",
]
