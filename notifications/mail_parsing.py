"""Reading one email message: its sender, subject, text and files, within limits.

Pure parsing with the standard library (policy `default`): nothing here touches the
database. `notifications.inbound` decides what the message means for a case.

Every readable part ends up in the text, in order, or as a file; none is dropped:

- of `multipart/alternative` one alternative is read (plain text, else HTML, else
  enriched text): they are the same words; what else they hold (an inline logo, an
  invitation) is kept as files;
- every other inline text part is text, HTML and enriched text turned into plain text,
  even with a file name (some clients name the body); a text part with a name but no
  disposition is a file when the message has other text, `attachment` always is;
- data written as text (a calendar invitation, CSV, a vCard) is a file, and so is a part
  of any other type; an attached message or delivery report is one file, kept whole;
- a part that cannot be made a file is left out with a note in the text saying why.
"""

import base64
import binascii
import codecs
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.mail_text import (
    enriched_to_text,
    html_to_text,
    strip_reply,
    unreadable_note,
)

SIGNATURES = {"application/pgp-signature", "application/pkcs7-signature"}
# Text meant for a program (a calendar, a table, an address book): a file, never prose.
DATA_TEXT = {
    "calendar", "csv", "x-csv", "tab-separated-values", "vcard", "x-vcard", "x-vcalendar",
    "directory", "rfc822-headers", "xml",
}  # fmt: skip
ALTERNATIVE_PREFERENCE = ("text/plain", "text/html", "text/enriched", "text/richtext")
FALLBACK_NAMES = {"text/calendar": "invite.ics", "message/rfc822": "forwarded-message.eml"}
ASCII = {"us-ascii", "ascii", "ansi_x3.4-1968"}
RAW_8BIT = re.compile("[\udc80-\udcff]")  # bytes the parser could not decode, escaped
# Shown to people, never used to store: no control or bidirectional-override characters.
UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def decode_8bit(data: bytes) -> str:
    """Bytes no charset was declared for: UTF-8 when they are, else Windows-1252.

    Latin-1 (which never fails) only for the few bytes Windows-1252 leaves undefined.
    """
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def header(message, name: str) -> str:
    """A header as text; the raw value when the standard parser chokes on it.

    Raw 8-bit bytes (no encoded words, `Subject: Formação` as the client's bytes) are
    decoded by `decode_8bit`, where the standard library would show U+FFFD. policy.default
    raises (IndexError, AttributeError, …) on some malformed address headers, e.g.
    `From: noreply@`: such mail must still be stored and handled.
    """
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    text = _redecoded(raw)
    try:
        parsed = message.get(name) if text == raw else policy.default.header_fetch_parse(name, text)
        value = str(parsed or "")
    except Exception:
        value = text
    return value.replace("\x00", "")  # PostgreSQL text cannot hold NUL


def _raw_header(message, name: str) -> str | None:
    return next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), None)


def _redecoded(raw: str) -> str:
    if not RAW_8BIT.search(raw):
        return raw
    return decode_8bit(raw.encode("utf-8", "surrogateescape"))


def safe_name(name: str, limit: int = 200) -> str:
    """A file name to show: its last path segment, no control characters, short enough,
    its extension kept; "" when nothing usable is left ("scans/", "../..", ".").

    Both / and \\ separate: the name came from someone else's file system.
    """
    segments = re.split(r"[/\\]", UNSHOWABLE.sub("", name))
    name = next((s.strip() for s in reversed(segments) if s.strip(" .")), "")
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
    pieces: list[_Piece] = []
    _collect(message, pieces)
    has_text = any(p.text.strip() for p in pieces if p.text is not None and not p.named)
    texts, notes, files = [], [], []
    for piece in pieces:
        if piece.text is not None and not (piece.named and has_text):
            texts.append(piece.text.strip())
            continue
        try:
            files.append(_file(piece.part))
        except Exception as exc:  # one part that cannot be read never costs the message
            notes.append(unreadable_note(str(exc) or exc.__class__.__name__))
    # Apple Mail splits the text around an inline photo: every piece is the message.
    text = "\n\n".join(t for t in [*texts, *notes] if t).replace("\x00", "")
    return Parsed(message, sender.lower(), name, subject, text, files)


@dataclass
class _Piece:
    """A part in the order it comes: its words (None: a file), and whether it is a text
    with a file name but no disposition (text only when the message has no other)."""

    part: EmailMessage
    text: str | None = None
    named: bool = False


def _collect(part, pieces: list[_Piece], *, read_text: bool = True) -> None:
    """The message's parts in order; `read_text` false in an alternative not chosen."""
    content_type = part.get_content_type()
    maintype = part.get_content_maintype()
    if content_type in SIGNATURES:
        return
    if maintype == "message":  # a forwarded message or a delivery report: kept whole
        pieces.append(_Piece(part))
    elif maintype == "multipart":
        children = part.get_payload()
        if not isinstance(children, list):
            # A multipart without a (usable) boundary: the parser left its body as one string.
            if read_text:
                pieces.append(_Piece(part, _text(part)))
            return
        if content_type == "multipart/signed":
            children = children[:1]  # the signature is not the sender's content
        chosen = _chosen(children) if content_type == "multipart/alternative" else None
        for child in children:
            same_words = chosen is not None and child is not chosen
            _collect(child, pieces, read_text=read_text and not same_words)
    elif _is_prose(part):
        if read_text:
            named = bool(_filename(part)) and part.get_content_disposition() is None
            pieces.append(_Piece(part, _words(part), named=named))
    else:
        pieces.append(_Piece(part))


def _is_prose(part) -> bool:
    """Text to read inline: not data for a program, not sent as an attachment."""
    return (
        part.get_content_maintype() == "text"
        and part.get_content_subtype() not in DATA_TEXT
        and part.get_content_disposition() != "attachment"
    )


def _chosen(alternatives: list) -> EmailMessage | None:
    """The alternative to read: the first with words in the preferred form."""
    bodies = [(child, _body(child)) for child in alternatives]
    for content_type in ALTERNATIVE_PREFERENCE:
        for child, body in bodies:
            if body is not None and body.get_content_type() == content_type and _words(body):
                return child
    return next((child for child, body in bodies if body is not None), None)


def _body(part) -> EmailMessage | None:
    """The first part read as prose within `part`, if any."""
    if part.get_content_maintype() == "multipart":
        children = part.get_payload()
        if not isinstance(children, list):
            return part
        if part.get_content_type() == "multipart/signed":
            children = children[:1]
        return next((b for b in map(_body, children) if b is not None), None)
    return part if _is_prose(part) else None


def _words(part) -> str:
    """A prose part as plain text."""
    text = _text(part)
    subtype = part.get_content_subtype()
    if subtype == "html":
        return html_to_text(text)
    if subtype in ("enriched", "richtext"):
        return enriched_to_text(text)
    return text.strip()


def _text(part) -> str:
    """A text part decoded by its charset, else by `decode_8bit`: when it names none, only
    ASCII, one no codec knows (utf8mb4), or UTF-8 that the bytes are not (Windows-1252
    text labelled UTF-8 is common). Another charset's stray bytes become U+FFFD."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    if charset and charset not in ASCII:
        try:
            return payload.decode(charset)
        except LookupError:
            pass
        except UnicodeDecodeError:
            if codecs.lookup(charset).name != "utf-8":
                return payload.decode(charset, errors="replace")
    return decode_8bit(payload)


def _filename(part) -> str:
    """The part's file name; raw 8-bit bytes in it read as `header` reads them."""
    try:
        for name, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
            raw = _raw_header(part, name)
            if raw is not None and RAW_8BIT.search(raw):
                fixed = policy.default.header_fetch_parse(name, _redecoded(raw))
                if fixed.params.get(param):
                    return fixed.params[param]
        return part.get_filename() or ""
    except Exception:  # a parameter the parser cannot read: the part has no usable name
        return ""


def _file(part) -> SimpleUploadedFile:
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message":
        content = _message_bytes(part)
    else:
        content = part.get_payload(decode=True) or b""
    name = safe_name(_filename(part), limit=196 if content_type == "message/rfc822" else 200)
    if content_type == "message/rfc822" and name and not name.lower().endswith(".eml"):
        name += ".eml"  # opens in a mail client when downloaded
    return SimpleUploadedFile(name or _fallback_name(part), content, content_type=content_type)


def _message_bytes(part) -> bytes:
    """An attached message (or report) as it was sent, decoded if a mailer encoded it."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return part.get_payload(decode=True) or b""
    content = b"".join(inner.as_bytes() for inner in payload)
    if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
        try:
            # Not allowed for message/*, yet some mailers do: the parser read it as text.
            return base64.b64decode(content)
        except binascii.Error as exc:
            raise ValueError(f"a forwarded message in broken base64 ({exc})") from exc
    return content


def _fallback_name(part) -> str:
    """A name for a part that has none (or none usable), from its type."""
    content_type = part.get_content_type()
    if content_type in FALLBACK_NAMES:
        return FALLBACK_NAMES[content_type]
    extension = mimetypes.guess_extension(content_type)
    return safe_name(f"attachment{extension or '.' + part.get_content_subtype()}")


__all__ = [
    "Parsed",
    "Quarantine",
    "check_shape",
    "decode_8bit",
    "header",
    "html_to_text",
    "parse",
    "safe_name",
    "strip_reply",
]
