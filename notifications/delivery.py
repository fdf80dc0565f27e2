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
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from notifications import addresses
from notifications.models import Notice

log = logging.getLogger(__name__)


def message_id(notice: Notice) -> str:
    return addresses.message_id(notice.pk)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(notice_ids: list[int], now) -> list[list[Notice]]:
    """Lock the notices and every waiting sibling for the same case and recipient, and
    mark them sending under a lease. Returns one group per email, its primary first."""
    wanted = Notice.objects.filter(pk__in=notice_ids).values_list("pk", "case_id", "recipient_id")
    match = Q()
    for pk, case_id, recipient_id in wanted:
        match |= Q(case_id=case_id, recipient_id=recipient_id) if case_id else Q(pk=pk)
    if not match:
        return []
    with transaction.atomic():
        rows = (
            # Lock the notices only: their recipient and case rows are read, not claimed
            # (and PostgreSQL refuses FOR UPDATE on the nullable side of the case join).
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "case")
            .filter(match, channel=Notice.Channel.EMAIL, status=Notice.Status.PENDING)
            .filter(send_after__lte=now)
            .order_by("created", "pk")
        )
        groups: dict[tuple, list[Notice]] = {}
        for notice in rows:
            key = (notice.case_id, notice.recipient_id) if notice.case_id else (None, notice.pk)
            groups.setdefault(key, []).append(notice)
        batches = list(groups.values())
        if not batches:
            return []
        lease = now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
        ids = [item.pk for batch in batches for item in batch]
        Notice.objects.filter(pk__in=ids).update(
            status=Notice.Status.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            message_id=DbCase(
                *(
                    When(pk__in=[item.pk for item in batch], then=Value(message_id(batch[0])))
                    for batch in batches
                ),
                default=Value(""),
            ),
        )
        for batch in batches:
            for item in batch:
                item.status, item.lease_until = Notice.Status.SENDING, lease
                item.attempts += 1
                item.message_id = message_id(batch[0])
        return batches


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
        headers["In-Reply-To"] = addresses.thread_id(case.pk)
        headers["References"] = addresses.thread_id(case.pk)
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
    return addresses.reply_address(notice.case_id)


def _case_url(notice: Notice) -> str:
    if notice.case_id is None:
        return settings.SITE_URL + "/"
    surface = "desk" if notice.recipient.is_agent else "portal"
    return f"{settings.SITE_URL}/{surface}/cases/{notice.case.reference}/"


def deliver(notice_id: int) -> int:
    """Send the notice (merged with its waiting siblings). Returns how many were sent.

    Safe to call twice or concurrently: only the caller that claims the rows sends.
    """
    return deliver_many([notice_id])


def deliver_many(notice_ids: list[int]) -> int:
    """Send these notices, each merged with its waiting siblings, over one connection to
    the mail server. Returns how many notices were sent; a failed email is retried later
    without holding back the others."""
    batches = _claim(notice_ids, timezone.now())
    if not batches:
        return 0
    sent: list[list[Notice]] = []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the mail server is away: every email waits its backoff
        for batch in batches:
            _release_failed(batch, exc)
        log.warning("Notices %s not delivered: %s", [b[0].pk for b in batches], exc)
        return 0
    try:
        for batch in batches:
            try:
                connection.send_messages([_build(batch)])
            except Exception as exc:
                _release_failed(batch, exc)
                log.warning("Notice %s not delivered: %s", batch[0].pk, exc)
            else:
                sent.append(batch)
    finally:
        connection.close()
    if sent:
        merged = [batch for batch in sent if len(batch) > 1]
        Notice.objects.filter(pk__in=[item.pk for batch in sent for item in batch]).update(
            status=Notice.Status.SENT,
            sent_at=timezone.now(),
            lease_until=None,
            merged_into=DbCase(
                *(
                    When(pk__in=[item.pk for item in batch[1:]], then=Value(batch[0].pk))
                    for batch in merged
                ),
                default=None,
            )
            if merged
            else None,
        )
    return sum(len(batch) for batch in sent)


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
    # Back to pending; a notice whose every attempt died with its worker stops here,
    # visible as failed.
    spent = Q(attempts__gte=settings.NOTICE_MAX_ATTEMPTS)
    Notice.objects.filter(status=Notice.Status.SENDING, lease_until__lt=now).update(
        status=DbCase(
            When(spent, then=Value(Notice.Status.FAILED)), default=Value(Notice.Status.PENDING)
        ),
        lease_until=None,
        last_error=DbCase(
            When(spent, then=Value("The worker stopped while sending, on every attempt.")),
            default=F("last_error"),
            output_field=Notice._meta.get_field("last_error"),
        ),
    )
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
