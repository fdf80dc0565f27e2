"""The outbox: services hand messages here, inside their own transaction.

A notice row is written in the caller's transaction; delivery is enqueued by name only
after it commits (`helpdesk.queue`), with the row's ID. If the broker is down then, the
periodic re-drive (`notifications.delivery.redrive`) sends it later: a notice is never
lost.
"""

import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from helpdesk import queue
from notifications.models import Notice


def _create_once(*, claimed: bool = False, **fields) -> Notice | None:
    """Insert the notice unless its idempotency key exists; None when it did.

    `claimed`: the caller already holds a once-only claim for this message (the SLA
    sweep's step row), so the insert needs no savepoint; a duplicate key would still be
    refused by the unique constraint, failing the caller's transaction.
    """
    if claimed:
        return Notice.objects.create(**fields)
    try:
        with transaction.atomic():
            return Notice.objects.create(**fields)
    except IntegrityError:
        if Notice.objects.filter(idempotency_key=fields["idempotency_key"]).exists():
            return None
        raise


def notify_in_app(
    *, recipient, case, kind: str, subject: str, body: str = "", key: str, claimed: bool = False
) -> Notice | None:
    """Write an in-app notice for an agent; a repeated key writes nothing.

    In-app notices need no delivery: they are shown from this table, so they are marked
    sent at once.
    """
    return _create_once(
        claimed=claimed,
        recipient=recipient,
        case=case,
        kind=kind,
        channel=Notice.Channel.IN_APP,
        subject=subject[:255],
        body=body,
        idempotency_key=key,
        status=Notice.Status.SENT,
        sent_at=timezone.now(),
    )


def notify_by_email(
    *,
    recipient,
    case,
    kind: str,
    subject: str,
    body: str,
    key: str,
    throttle: bool = False,
    claimed: bool = False,
    urgent: bool = False,
    entry=None,
) -> Notice | None:
    """Queue an email; with `throttle` (every message to a customer), one voice applies:
    at most one email per case and recipient per CUSTOMER_EMAIL_THROTTLE, later updates
    inside the window wait and are merged into one message. Customers who chose the daily
    digest get routine updates at DIGEST_HOUR; `urgent` ones (delay notices) go at once.
    `entry`: the timeline entry the message is about, so that delivery can tell whether
    the case has moved past it by the time the email leaves."""
    now = timezone.now()
    send_after = now
    if throttle and case is not None and not urgent:
        # A delay notice is never held back by the window: it must arrive before the
        # deadline it announces. It still takes along whatever is waiting (delivery merges).
        send_after = _throttled_send_after(case, recipient, now)
    if not urgent and recipient.notify_preference == recipient.NotifyPreference.DIGEST:
        # A digest reader gets one email a day; a delay notice (urgent) still goes at once.
        send_after = max(send_after, next_digest(now))
    notice = _create_once(
        claimed=claimed,
        recipient=recipient,
        case=case,
        entry=entry,
        kind=kind,
        channel=Notice.Channel.EMAIL,
        subject=subject[:255],
        body=body,
        idempotency_key=key,
        send_after=send_after,
    )
    if notice is not None and send_after <= now:
        if getattr(_deferred, "ids", None) is not None:
            _deferred.ids.append(notice.pk)
        else:
            queue.after_commit(queue.DELIVER_NOTICE, notice.pk)
    return notice


_deferred = threading.local()


@contextmanager
def deferred_delivery():
    """Collect the notices written inside the block instead of enqueuing one task each;
    the caller enqueues them in one go after its transaction commits (the SLA sweep writes
    hundreds in a busy minute). Anything not enqueued is found by the re-drive."""
    _deferred.ids = []
    try:
        yield _deferred.ids
    finally:
        _deferred.ids = None


def enqueue_many(notice_ids: list[int], *, chunk: int = 100) -> None:
    """Enqueue delivery of these notices now, in chunks (one connection per chunk)."""
    for start in range(0, len(notice_ids), chunk):
        queue.send_now(queue.DELIVER_NOTICES, notice_ids[start : start + chunk])


def next_digest(now):
    digest = now.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return digest if digest > now else digest + timedelta(days=1)


def _throttled_send_after(case, recipient, now, *, urgent: bool = False):
    """Join a message still waiting (it will be merged), else wait out the window since
    the last message that left."""
    window = timedelta(seconds=settings.CUSTOMER_EMAIL_THROTTLE)
    emails = Notice.objects.filter(case=case, recipient=recipient, channel=Notice.Channel.EMAIL)
    waiting = Q(status=Notice.Status.PENDING)
    if urgent:
        # Routine updates held for tomorrow's digest must not hold a delay notice back.
        waiting &= Q(send_after__lte=now + window)
    found = emails.aggregate(
        waiting=Min("send_after", filter=waiting),
        left=Max(
            Coalesce("sent_at", "send_after"),
            filter=Q(status__in=[Notice.Status.SENT, Notice.Status.SENDING]),
        ),
    )
    if found["waiting"] is not None:
        return max(now, found["waiting"])
    left = found["left"]
    if left is not None and left + window > now:
        return left + window
    return now


def mark_read(*, recipient, notice_ids: list[int] | None = None) -> int:
    unread = Notice.objects.unread_in_app_for(recipient)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    return unread.update(read_at=timezone.now())
