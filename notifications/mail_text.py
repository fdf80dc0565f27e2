"""The words of an email as an agent reads them: markup turned into text, and a reply cut
down to what is new in it (quoted history and signature dropped, forwarded mail kept).

Pure text functions: `notifications.mail_parsing` reads the MIME parts, this reads words.
"""

import html as html_module
import re

import nh3
from mailparser_reply import EmailReplyParser

REPLY_LANGUAGES = ["en", "de", "fr", "es"]
SIGNATURE = re.compile(r"^(-- ?|—\s*|Sent from my .*)$", re.MULTILINE)
# A mail client's line above mail forwarded inline: Gmail ("---------- Forwarded message
# ---------"), Thunderbird ("-------- Forwarded Message --------"), Apple Mail ("Begin
# forwarded message:"), in the reply parser's languages. A `>` in front means it is quoted
# history, not a forward.
FORWARDED = re.compile(
    r"^[ \t]*(?:-{3,}[ \t]*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré"
    r"|Mensaje reenviado)[ \t]*-{3,}|(?:Begin forwarded message|Anfang der weitergeleiteten "
    r"Nachricht|Début du message réexpédié|Inicio del mensaje reenviado)[ \t]*:)[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# Outlook quotes without `>`: below its divider everything is history (or, in a forward
# that says FW: in its subject, the forwarded mail).
OUTLOOK_DIVIDER = re.compile(
    r"^[ \t]*(?:-{5,} ?Original Message ?-{5,}[ \t]*$"
    r"|_{20,}[ \t]*\n[ \t]*\*?(?:From|Von|De)\*?:)",
    re.MULTILINE | re.IGNORECASE,
)
FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|wg|tr|rv|enc)\s*:", re.IGNORECASE)
# "On Mon, 3 Mar 2025 at 09:00, Support <help@example.com> wrote:"; Gmail wraps a long one
# before "wrote:", German clients anywhere after "schrieb".
ATTRIBUTION = re.compile(
    r"^(?:>[ \t]?)*(?:On|Am|Le|El)\b[^\n]*?\s(?:>[ \t]?)*"
    r"(?:wrote|a écrit|escribió|schrieb\b[^\n]*(?:\n[^\n]*)?)[ \t]*:[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
UNREADABLE = re.compile(r"^\(An attachment could not be read: .*\)$", re.MULTILINE)


def unreadable_note(reason: str) -> str:
    """The line the text keeps for a part that could not be made a file."""
    return f"(An attachment could not be read: {' '.join(reason.split())[:200]})"


def html_to_text(html: str) -> str:
    """HTML mail: keep the words, drop the markup (nothing of it is ever rendered)."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", html)
    # Table cells side by side stay apart: "Room 5 booked", not "Room 5booked".
    spaced = re.sub(r"(?i)<\s*/t[dh]\b[^>]*>", " ", spaced)
    cleaned = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style", "head"})
    # Outlook writes most spaces as &nbsp;: plain spaces again, so the words read as words.
    text = html_module.unescape(cleaned).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def enriched_to_text(enriched: str) -> str:
    """text/enriched (RFC 1896): the words without the formatting commands.

    A <param> holds a command's argument (a colour, a font), not words. One line break is
    a space and n breaks are n-1, as the format says; "<<" is a literal "<".
    """
    text = re.sub(r"(?is)<param>.*?</param>", "", enriched.replace("\r\n", "\n"))
    text = re.sub(r"\n+", lambda m: " " if len(m[0]) == 1 else m[0][1:], text)
    text = re.sub(r"<<|</?[A-Za-z0-9-]{1,60}>", lambda m: "<" if m[0] == "<<" else "", text)
    return text.strip()


def strip_reply(text: str, *, subject: str = "") -> str:
    """What is new in a reply: our quoted messages and the signature cut, forwards kept.

    Mail the customer forwards inline (below a client's forward marker) is their message,
    not history: it stays, and only a `>`-quoted reply after it (our earlier email, which
    the client quotes last) is cut. With a forward's subject (FW:, Fwd:, WG: …) Outlook's
    "Original Message" divider starts the forwarded mail too. Notes on attachments that
    could not be read are ours, never quoted history: they stay.
    """
    notes = UNREADABLE.findall(text)
    text = UNREADABLE.sub("", text)
    start = _forward_start(text, subject)
    if start is None:
        kept = [_latest(text)]
    else:
        kept = [_latest(text[:start]) if text[:start].strip() else ""]
        kept.append(_without_quoted_tail(text[start:]))
    return "\n\n".join(part for part in [*kept, *notes] if part)


def _latest(text: str) -> str:
    latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=text) or text
    match = SIGNATURE.search(latest)
    if match and match.start() > 0:
        latest = latest[: match.start()]
    return latest.strip()


def _forward_start(text: str, subject: str) -> int | None:
    """Where forwarded mail begins, or None when the text holds none of the customer's."""
    marker = FORWARDED.search(text)
    divider = OUTLOOK_DIVIDER.search(text)
    if divider and (marker is None or divider.start() < marker.start()):
        # Below Outlook's divider is history, unless the subject says the mail is a forward.
        return divider.start() if FORWARD_SUBJECT.match(subject) else None
    return marker.start() if marker else None


def _without_quoted_tail(forwarded: str) -> str:
    """The forward without a reply quoted after it: an attribution, then only `>` lines."""
    for attribution in ATTRIBUTION.finditer(forwarded):
        tail = forwarded[attribution.end() :].splitlines()
        quoted = [line for line in tail if line.strip()]
        if quoted and all(line.lstrip().startswith(">") for line in quoted):
            return forwarded[: attribution.start()].strip()
    return forwarded.strip()
