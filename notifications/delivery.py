"""Email delivery from the outbox: lock, send once, mark sent; retry with backoff.

The row is claimed (pending → sending, with a lease) and committed before the SMTP
conversation, and marked sent as soon as the server accepts it (each email of a batch on
its own). The one crash window: a worker killed after the SMTP server accepted the
message but before the row is marked sent. The re-drive then sends it again after the
lease, with the same Message-ID, so mail clients and the inbound side can recognise the
duplicate. Every other failure delays a notice; none loses it.
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

from notifications import addresses, letter
from notifications.letter import Letter
from notifications.models import Notice

log = logging.getLogger(__name__)


def message_id(notice: Notice) -> str:
    return addresses.message_id(notice.pk)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(notice_ids: list[int], now) -> list[Letter]:
    """Lock the notices and every waiting sibling for the same case and recipient, and
    mark them sending under a lease. Returns one letter per email, rebuilt from the case
    as it is now (`notifications.letter`); what the case has moved past is marked
    overtaken and never leaves."""
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
            .select_related("recipient", "case", "entry")
            .filter(match, channel=Notice.Channel.EMAIL, status=Notice.Status.PENDING)
            .filter(send_after__lte=now)
            .order_by("created", "pk")
        )
        groups: dict[tuple, list[Notice]] = {}
        for notice in rows:
            key = (notice.case_id, notice.recipient_id) if notice.case_id else (None, notice.pk)
            groups.setdefault(key, []).append(notice)
        letters = [letter.compose(batch) for batch in groups.values()]
        for dropped, reason in (item for each in letters for item in each.overtaken):
            dropped.status, dropped.not_sent_because = Notice.Status.OVERTAKEN, reason
            dropped.save(update_fields=["status", "not_sent_because"])
        letters = [each for each in letters if each.notices]
        if not letters:
            return []
        lease = now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
        ids = [item.pk for each in letters for item in each.notices]
        Notice.objects.filter(pk__in=ids).update(
            status=Notice.Status.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            message_id=DbCase(
                *(
                    When(
                        pk__in=[item.pk for item in each.notices],
                        then=Value(message_id(each.primary)),
                    )
                    for each in letters
                ),
                default=Value(""),
            ),
        )
        for each in letters:
            for item in each.notices:
                item.status, item.lease_until = Notice.Status.SENDING, lease
                item.attempts += 1
                item.message_id = message_id(each.primary)
        return letters


def _build(mail: Letter) -> EmailMultiAlternatives:
    primary = mail.primary
    case = primary.case
    context = {
        "parts": mail.parts(),
        "lead": mail.lead,
        "greet": mail.greets(),
        "case": case,
        "recipient": primary.recipient,
        "case_url": _case_url(primary),
    }
    headers = {"Message-ID": message_id(primary)}
    if case is not None:
        headers["In-Reply-To"] = addresses.thread_id(case.pk)
        headers["References"] = addresses.thread_id(case.pk)
    email = EmailMultiAlternatives(
        subject=mail.subject(),
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
    letters = _claim(notice_ids, timezone.now())
    if not letters:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the mail server is away: every email waits its backoff
        for each in letters:
            _release_failed(each.notices, exc)
        log.warning("Notices %s not delivered: %s", [each.primary.pk for each in letters], exc)
        return 0
    try:
        for each in letters:
            try:
                connection.send_messages([_build(each)])
            except Exception as exc:
                _release_failed(each.notices, exc)
                log.warning("Notice %s not delivered: %s", each.primary.pk, exc)
            else:
                # Marked at once, not when the whole batch is through: a worker killed
                # later in the batch would otherwise leave this accepted email `sending`,
                # to be sent again after its lease.
                _mark_sent(each.notices)
                sent += len(each.notices)
    finally:
        connection.close()
    return sent


def _mark_sent(batch: list[Notice]) -> None:
    """One email left: its notices are sent, those merged into it point at the first."""
    primary, *merged = batch
    Notice.objects.filter(pk__in=[item.pk for item in batch]).update(
        status=Notice.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        merged_into=DbCase(
            When(pk__in=[item.pk for item in merged], then=Value(primary.pk)), default=None
        )
        if merged
        else None,
    )


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
