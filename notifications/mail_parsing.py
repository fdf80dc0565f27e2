"""Reading one email message: its sender, subject, text and files, within limits.

Pure parsing with the standard library (policy `default`): nothing here touches the
database. `notifications.inbound` decides what the message means for a case.
"""

import html as html_module
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

import nh3
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from mailparser_reply import EmailReplyParser

SIGNATURE = re.compile(r"^(-- ?|—\s*|Sent from my .*)$", re.MULTILINE)
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


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


def header(message, name: str) -> str:
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


def safe_name(name: str, limit: int = 200) -> str:
    """A file name to show: no control characters, short enough, its extension kept."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def check_shape(message: EmailMessage) -> None:
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


def parse(message: EmailMessage) -> Parsed:
    name, sender = parseaddr(header(message, "From"))
    subject = " ".join(header(message, "Subject").split())
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
    # Outlook writes most spaces as &nbsp;: plain spaces again, so the words read as words.
    text = html_module.unescape(cleaned).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def _file(part) -> SimpleUploadedFile:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        content = (inner[0] if isinstance(inner, list) else inner).as_bytes()
        name = safe_name(part.get_filename() or "", limit=196) or "forwarded-message"
        if not name.lower().endswith(".eml"):
            name += ".eml"  # opens in a mail client when downloaded
        return SimpleUploadedFile(name, content, content_type="message/rfc822")
    content = part.get_payload(decode=True) or b""
    name = safe_name(part.get_filename() or "") or f"attachment.{part.get_content_subtype()}"
    return SimpleUploadedFile(name, content, content_type=part.get_content_type())


def is_automatic(message: EmailMessage, sender: str) -> bool:
    auto_submitted = (header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = header(message, "Precedence").strip().lower()
    return (
        auto_submitted not in ("", "no")
        or precedence in AUTO_PRECEDENCE
        or message.get_content_type() == "multipart/report"
        or bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
        or sender.startswith(BOUNCE_SENDERS)
    )


def strip_reply(text: str) -> str:
    latest = EmailReplyParser(languages=["en", "de", "fr", "es"]).parse_reply(text=text) or text
    match = SIGNATURE.search(latest)
    if match and match.start() > 0:
        latest = latest[: match.start()]
    return latest.strip()
