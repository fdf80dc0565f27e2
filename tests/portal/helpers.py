"""Helpers for the portal tests: URLs, a re-read of the database, the page's text as a
person reads it, and the customer's mailbox."""

import html
import re

from django.core import mail

from cases.models import Case
from notifications import delivery
from notifications.models import Notice

HTMX = {"HX-Request": "true"}
# Tags that break a line: the text on either side reads as two words, not one.
BLOCK_TAG = re.compile(
    r"</?(p|div|li|ul|ol|br|h[1-6]|section|nav|dd|dt|dl|td|th|tr|option|button|label|form|"
    r"summary|details|legend|fieldset|textarea|input|select|main|header|footer|title)\b[^>]*>",
    re.I,
)


def case_url(case: Case, suffix: str = "") -> str:
    return f"/portal/cases/{case.reference}/{suffix}"


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def text(response) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(BLOCK_TAG, " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def deliver_due_email() -> int:
    """Send every email notice whose time has come, as the worker and re-drive would."""
    sent = 0
    for notice_id in delivery.redrive():
        sent += delivery.deliver(notice_id)
    return sent


def mail_to(person) -> list:
    """Messages in the test mailbox addressed to `person`."""
    return [m for m in mail.outbox if person.email in m.to]


def email_text(message) -> str:
    """Subject, plain body and HTML alternative of one message."""
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def pending_email_notices(person):
    return Notice.objects.filter(
        recipient=person, channel=Notice.Channel.EMAIL, status=Notice.Status.PENDING
    )
