"""Reads of the notifications app for the desk: an agent's notices and the mail
quarantine. Each is one or two queries whatever the number of rows."""

from django.db.models import QuerySet

from helpdesk.accounts.models import User
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
