"""Reads of the notifications app for the desk: an agent's notices, the mail
quarantine and the ignored mail. Each is one or two queries whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from helpdesk.accounts.models import User
from notifications import inbound, mail_parsing
from notifications.models import InboundMessage, Notice

NOTICES_SHOWN = 50


def in_app_notices(user: User) -> list[Notice]:
    """The agent's latest in-app notices, newest first, with their cases."""
    return list(
        Notice.objects.filter(recipient=user, channel=Notice.Channel.IN_APP)
        .select_related("case")
        .order_by("-created", "-pk")[:NOTICES_SHOWN]
    )


def unread_count(user: User) -> int:
    return Notice.objects.unread_in_app_for(user).count()


def quarantined_mail() -> QuerySet:
    """Mail waiting for a person (strangers, unreadable messages), newest first."""
    return InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).order_by(
        "-received", "-pk"
    )


def ignored_mail() -> QuerySet:
    """Machines' mail (auto-replies, bounces, mass mail), newest first, with the case it
    was recorded against."""
    return (
        InboundMessage.objects.filter(status=InboundMessage.Status.IGNORED)
        .select_related("case")
        .order_by("-received", "-pk")
    )


@dataclass
class ReadableMail:
    """A stored message as an agent reads it before deciding; `problem` when it cannot be
    parsed (the raw source is still there to download)."""

    to: str = ""
    date: str = ""
    text: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)
    problem: str = ""


def readable_mail(stored: InboundMessage) -> ReadableMail:
    try:
        message, parsed = inbound.read(stored)
    except Exception as exc:  # unreadable mail is exactly what waits here
        return ReadableMail(problem=str(exc) or exc.__class__.__name__)
    return ReadableMail(
        to=mail_parsing.header(message, "To"),
        date=mail_parsing.header(message, "Date"),
        text=parsed.text,
        files=[(upload.name, upload.size) for upload in parsed.files],
    )
