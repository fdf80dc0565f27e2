"""The outbox: services hand messages here, inside their own transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Notice


def notify_in_app(
    *, recipient, case, kind: str, subject: str, body: str = "", key: str
) -> Notice | None:
    """Write an in-app notice for an agent; a repeated key writes nothing.

    In-app notices need no delivery: they are shown from this table, so they are marked
    sent at once.
    """
    try:
        with transaction.atomic():
            return Notice.objects.create(
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
    except IntegrityError:
        if Notice.objects.filter(idempotency_key=key).exists():
            return None
        raise


def mark_read(*, recipient, notice_ids: list[int] | None = None) -> int:
    unread = Notice.objects.unread_in_app_for(recipient)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    return unread.update(read_at=timezone.now())
