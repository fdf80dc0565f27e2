"""Email delivery from the outbox: lock, send once, mark sent; retry with backoff.

The row is claimed (pending → sending, with a lease) and committed before the SMTP
conversation, and marked sent after it. The one crash window: a worker killed after the
SMTP server accepted the message but before the row is marked sent. The re-drive then
sends it again after the lease, with the same Message-ID, so mail clients and the inbound
side can recognise the duplicate. Every other failure delays a notice; none loses it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notice

log = logging.getLogger(__name__)


def message_id(notice: Notice) -> str:
    return f"<notice-{notice.pk}@{settings.MESSAGE_ID_DOMAIN}>"


def thread_id(case) -> str:
    """The case's thread root: every message about a case refers to it."""
    return f"<case-{case.pk}@{settings.MESSAGE_ID_DOMAIN}>"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(notice_id: int, now) -> list[Notice]:
    """Lock the notice and every waiting sibling for the same case and recipient."""
    with transaction.atomic():
        notice = (
            # Lock the notice only: its recipient and case rows are read, not claimed (and
            # PostgreSQL refuses FOR UPDATE on the nullable side of the case join).
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "case")
            .filter(
                pk=notice_id,
                channel=Notice.Channel.EMAIL,
                status=Notice.Status.PENDING,
                send_after__lte=now,
            )
            .first()
        )
        if notice is None:
            return []
        batch = [notice]
        if notice.case_id is not None:
            batch += list(
                Notice.objects.select_for_update(skip_locked=True)
                .filter(
                    case_id=notice.case_id,
                    recipient_id=notice.recipient_id,
                    channel=Notice.Channel.EMAIL,
                    status=Notice.Status.PENDING,
                    send_after__lte=now,
                )
                .exclude(pk=notice.pk)
                .order_by("created", "pk")
            )
        lease = now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
        for item in batch:
            item.status = Notice.Status.SENDING
            item.lease_until = lease
            item.attempts += 1
            item.message_id = message_id(notice)
            item.save(update_fields=["status", "lease_until", "attempts", "message_id"])
        return batch


def _build(batch: list[Notice]) -> EmailMultiAlternatives:
    primary = batch[0]
    case = primary.case
    if len(batch) == 1:
        subject = primary.subject
    elif primary.recipient.is_agent:
        subject = f"[{case.reference}] {len(batch)} notices: {case.title}"
    else:
        subject = f"[{case.reference}] {len(batch)} updates on your case: {case.title}"
    if case is not None and f"[{case.reference}]" not in subject:
        subject = f"[{case.reference}] {subject}"
    context = {
        "notices": batch,
        "case": case,
        "recipient": primary.recipient,
        "case_url": _case_url(primary),
    }
    headers = {"Message-ID": message_id(primary)}
    if case is not None:
        headers["In-Reply-To"] = thread_id(case)
        headers["References"] = thread_id(case)
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/notice.txt", context),
        to=[primary.recipient.email],
        headers=headers,
        reply_to=[_reply_to(primary)],
    )
    email.attach_alternative(render_to_string("email/notice.html", context), "text/html")
    return email


def _reply_to(notice: Notice) -> str:
    """A customer's reply comes back to the case through its signed address."""
    if notice.case_id is None or not notice.recipient.is_customer:
        return settings.DEFAULT_FROM_EMAIL
    from notifications.inbound import reply_address

    return reply_address(notice.case_id)


def _case_url(notice: Notice) -> str:
    if notice.case_id is None:
        return settings.SITE_URL + "/"
    surface = "desk" if notice.recipient.is_agent else "portal"
    return f"{settings.SITE_URL}/{surface}/cases/{notice.case.reference}/"


def deliver(notice_id: int) -> int:
    """Send the notice (merged with its waiting siblings). Returns how many were sent.

    Safe to call twice or concurrently: only the caller that claims the rows sends.
    """
    now = timezone.now()
    batch = _claim(notice_id, now)
    if not batch:
        return 0
    try:
        _build(batch).send(fail_silently=False)
    except Exception as exc:
        _release_failed(batch, exc)
        log.warning("Notice %s not delivered: %s", notice_id, exc)
        return 0
    with transaction.atomic():
        sent_at = timezone.now()
        for item in batch:
            item.status = Notice.Status.SENT
            item.sent_at = sent_at
            item.lease_until = None
            item.merged_into = None if item is batch[0] else batch[0]
            item.save(update_fields=["status", "sent_at", "lease_until", "merged_into"])
    return len(batch)


def _release_failed(batch: list[Notice], exc: Exception) -> None:
    with transaction.atomic():
        now = timezone.now()
        for item in batch:
            item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            item.lease_until = None
            if item.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                item.status = Notice.Status.FAILED
            else:
                item.status = Notice.Status.PENDING
                item.send_after = now + backoff(item.attempts)
            item.save(update_fields=["last_error", "lease_until", "status", "send_after"])


def redrive(*, now=None, limit: int = 500) -> list[int]:
    """Pick up what a dead worker or a lost broker message left behind.

    Rows stuck in `sending` past their lease go back to `pending`; pending email rows
    whose time has come are returned for delivery (one per case and recipient: the rest
    are merged into it).
    """
    now = now or timezone.now()
    expired = Notice.objects.filter(status=Notice.Status.SENDING, lease_until__lt=now)
    # A notice whose every attempt died with its worker stops here, visible as failed.
    expired.filter(attempts__gte=settings.NOTICE_MAX_ATTEMPTS).update(
        status=Notice.Status.FAILED,
        lease_until=None,
        last_error="The worker stopped while sending, on every attempt.",
    )
    expired.update(status=Notice.Status.PENDING, lease_until=None)
    due = (
        Notice.objects.filter(
            status=Notice.Status.PENDING, channel=Notice.Channel.EMAIL, send_after__lte=now
        )
        .order_by("send_after", "pk")
        .values_list("pk", "case_id", "recipient_id")[:limit]
    )
    seen, ids = set(), []
    for pk, case_id, recipient_id in due:
        group = (case_id, recipient_id) if case_id else ("notice", pk)
        if group not in seen:
            seen.add(group)
            ids.append(pk)
    return ids
