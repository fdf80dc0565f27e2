"""Helpers for the incident tests: the page's text as a person reads it, linked cases in one
insert, sending every email whose time has come, and polling for a worker's result."""

import html
import re
import time
from email.message import EmailMessage

from django.test import Client
from django.utils import timezone

from cases.models import Case, EntryKind, Status, TimelineEntry
from notifications import delivery

HTMX = {"HX-Request": "true"}
OUTAGE_TITLE = "Sign-in errors in the web program after release 4.2"
# Tags that break a line: the text on either side reads as two words, not one.
BLOCK_TAG = re.compile(
    r"</?(p|div|li|ul|ol|br|h[1-6]|section|nav|dd|dt|dl|td|th|tr|option|button|label|form|"
    r"summary|details|legend|fieldset|textarea|input|select|main|header|footer|title)\b[^>]*>",
    re.I,
)


def text(response) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(BLOCK_TAG, " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def deliver_due_email() -> int:
    """Send every email notice whose time has come, as the worker and the re-drive would."""
    return sum(delivery.deliver(notice_id) for notice_id in delivery.redrive())


def updates_on(case: Case) -> list[TimelineEntry]:
    """The case's `incident_update` entries, oldest first."""
    return list(TimelineEntry.objects.filter(case=case, kind=EntryKind.INCIDENT_UPDATE))


def bulk_linked_cases(n: int, *, incident, customer, owner=None, department=None) -> list[Case]:
    """`n` cases of one customer, linked to `incident`, in one insert."""
    now = timezone.now()
    return Case.objects.bulk_create(
        Case(
            title=f"Web program error {i}",
            description="Error page after signing in.",
            customer=customer,
            organization_id=customer.organization_id,
            status=Status.OPEN if owner else Status.NEW,
            owner=owner,
            owning_department=department if owner else None,
            first_owned_at=now if owner else None,
            incident=incident,
            created=now,
            updated=now,
        )
        for i in range(n)
    )


def wait_for(condition, timeout: float = 15.0, interval: float = 0.1):
    """Poll until `condition()` is truthy or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    return condition()


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def signed_in(user) -> Client:
    """A browser of its own, signed in as `user` (several people in one test)."""
    client = Client()
    client.force_login(user)
    return client
