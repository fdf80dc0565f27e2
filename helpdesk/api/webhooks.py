"""Webhooks: what happened on a case, told to the receivers that asked for it.

Every event is a row of the webhooks' outbox (`WebhookDelivery`) before anything is sent:
the events of a timeline entry are written in the transaction that writes the entry (a
`post_save` receiver, so `cases` never imports the API), a customer notice's when the scan
finds it sent. The worker then POSTs each row, signed, and retries with backoff until the
receiver answers 2xx: at least once, the event id the receiver's key to drop a repeat.

Signature: `X-Helpdesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
with the subscription's secret; receivers reject a stale `t` to stop replays.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import EntryKind, TimelineEntry, Visibility
from helpdesk import queue
from helpdesk.api.models import WebhookDelivery, WebhookScan, WebhookSubscription
from notifications import outbox
from notifications.models import Notice

EVENTS = {
    "case.created": "A case was opened.",
    "case.owner_changed": "A case has a new owner.",
    "case.status_changed": "A case's status changed.",
    "case.public_entry": "Something the customer can read was added (a reply, a message, a "
    "notice).",
    "handoff.requested": "A department was asked for a piece of work.",
    "handoff.completed": "A department finished its part.",
    "handoff.declined": "A department declined its part.",
    "sla.warning": "A deadline is near.",
    "sla.breached": "A deadline passed.",
    "notice.sent": "An email to the customer left.",
    "incident.updated": "An incident's update was posted to its cases.",
}
ENTRY_EVENTS = {
    EntryKind.CASE_OPENED: "case.created",
    EntryKind.OWNERSHIP_CHANGE: "case.owner_changed",
    EntryKind.STATUS_CHANGE: "case.status_changed",
    EntryKind.SLA_WARNING: "sla.warning",
    EntryKind.SLA_BREACHED: "sla.breached",
    EntryKind.INCIDENT_UPDATE: "incident.updated",
}
HANDOFF_EVENTS = {
    "requested": "handoff.requested",
    "done": "handoff.completed",
    "declined": "handoff.declined",
}
NAMESPACE = uuid.UUID("6f1b4d52-8a8e-4a53-9d5e-3f0b7c1e2a10")
TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=2)


def new_secret() -> str:
    return secrets.token_hex(32)


def event_id(kind: str, pk: int, event: str) -> uuid.UUID:
    """The same event always has the same id, whoever records it and however often."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{pk}:{event}")


def entry_events(entry: TimelineEntry) -> list[str]:
    events = []
    if event := ENTRY_EVENTS.get(entry.kind):
        events.append(event)
    if entry.kind == EntryKind.HANDOFF and (event := HANDOFF_EVENTS.get(entry.data.get("event"))):
        events.append(event)
    if entry.visibility == Visibility.PUBLIC and entry.kind != EntryKind.CASE_OPENED:
        events.append("case.public_entry")
    return events


def case_summary(case) -> dict:
    return {
        "reference": case.reference,
        "title": case.title,
        "status": case.status,
        "priority": case.get_priority_display().lower(),
        "owner": case.owner.full_name if case.owner_id else None,
        "organization": case.organization.name,
        "version": case.version,
    }


def entry_payload(entry: TimelineEntry) -> dict:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "visibility": entry.visibility,
        "author": entry.actor.full_name if entry.actor_id else None,
        "body": entry.body,
        "data": entry.data,
        "created": entry.created.isoformat(),
    }


def listening(events: list[str]) -> list[WebhookSubscription]:
    """The subscriptions hearing any of `events`, paused ones too: what happens while a
    receiver is paused waits for it, and goes out when it is resumed."""
    subscriptions = WebhookSubscription.objects.only("pk", "events")
    return [s for s in subscriptions if set(s.events) & set(events)]


def record(
    events: list[tuple[str, uuid.UUID, dict]], subscribers: list[WebhookSubscription]
) -> list[int]:
    """Write each (event, id, data) for every one of `subscribers` hearing it (the caller
    read them with `listening`); a repeat writes nothing. Deliveries are enqueued when the
    transaction commits."""
    if not events or not subscribers:
        return []
    now = timezone.now()
    rows = [
        WebhookDelivery(
            subscription=subscription,
            event_id=eid,
            event=event,
            payload={"id": str(eid), "type": event, "created": now.isoformat(), "data": data},
        )
        for event, eid, data in events
        for subscription in subscribers
        if event in subscription.events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(
            event_id__in=[eid for _, eid, _ in events], status=WebhookDelivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return ids


def record_entry(entry: TimelineEntry) -> None:
    """The events of a new timeline entry, in its transaction."""
    events = entry_events(entry)
    subscribers = listening(events) if events else []
    if not subscribers:
        return
    data = {"case": case_summary(entry.case), "entry": entry_payload(entry)}
    record([(event, event_id("entry", entry.pk, event), data) for event in events], subscribers)


def record_sent_notices(now=None) -> int:
    """`notice.sent` for each email to a customer sent since the last scan (with a minute
    of overlap: a notice marked sent in a transaction still open is found next time; the
    event id makes the overlap harmless)."""
    now = now or timezone.now()
    scan, _ = WebhookScan.objects.get_or_create(pk=1)
    subscribers = listening(["notice.sent"])
    if not subscribers:
        WebhookScan.objects.filter(pk=1).update(notices_sent_before=now)
        return 0
    sent = (
        Notice.objects.filter(
            channel=Notice.Channel.EMAIL,
            status=Notice.Status.SENT,
            sent_at__gte=scan.notices_sent_before - timedelta(minutes=1),
            sent_at__lt=now,
            recipient__role="customer",
        )
        .select_related("case__organization", "case__owner", "recipient")
        .order_by("sent_at", "pk")[:1000]
    )
    events = [
        (
            "notice.sent",
            event_id("notice", notice.pk, "notice.sent"),
            {
                "case": case_summary(notice.case) if notice.case_id else None,
                "notice": {
                    "id": notice.pk,
                    "kind": notice.kind,
                    "subject": notice.subject,
                    "to": notice.recipient.email,
                    "sent": notice.sent_at.isoformat(),
                },
            },
        )
        for notice in sent
    ]
    with transaction.atomic():
        record(events, subscribers)
        WebhookScan.objects.filter(pk=1).update(notices_sent_before=now)
    return len(events)


def enqueue(delivery_ids: list[int], *, chunk: int = 50) -> None:
    """Hand deliveries to the workers in chunks (a broker that is down: the re-drive)."""
    for start in range(0, len(delivery_ids), chunk):
        queue.send_now(queue.DELIVER_WEBHOOKS, delivery_ids[start : start + chunk])


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling up to 6 hours between attempts."""
    base = settings.WEBHOOK_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver(delivery_id: int) -> str:
    """POST one pending delivery whose time has come; safe to run twice (a lease keeps a
    second worker away while the first sends). Returns what happened."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt__lte=now,
        subscription__paused_at__isnull=True,
    ).update(lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Helpdesk-Webhooks/1",
            "X-Helpdesk-Event": delivery.event,
            "X-Helpdesk-Delivery": str(delivery.event_id),
            "X-Helpdesk-Signature": sign(subscription.secret, timestamp, body),
        },
    )
    status, error = None, ""
    try:
        if not subscription.url.startswith(("https://", "http://")):
            raise ValueError("only http and https")
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc))[:300]
    if status is not None and 200 <= status < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.SENT, delivered_at=timezone.now(),
            response_status=status, error="", lease_until=None,
        )  # fmt: skip
        WebhookSubscription.objects.filter(pk=subscription.pk).update(failures=0)
        return "sent"
    failed(delivery, status=status, error=error or f"HTTP {status}")
    return "failed"


@transaction.atomic
def failed(delivery: WebhookDelivery, *, status: int | None, error: str) -> None:
    """A failed attempt: try again later, give up after WEBHOOK_MAX_ATTEMPTS, and pause
    a subscription failing WEBHOOK_PAUSE_AFTER times in a row (its owner told)."""
    attempts = delivery.attempts  # the claim counted this attempt
    done = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if done else WebhookDelivery.Status.PENDING,
        next_attempt=timezone.now() + backoff(attempts),
        response_status=status,
        error=error[:300],
        lease_until=None,
    )
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    subscription.failures += 1
    subscription.save(update_fields=["failures"])
    if subscription.paused_at is None and subscription.failures >= settings.WEBHOOK_PAUSE_AFTER:
        pause(
            subscription, reason=f"{subscription.failures} failed attempts in a row; last: {error}"
        )


def pause(subscription: WebhookSubscription, *, reason: str) -> None:
    """Stop sending to a receiver that keeps failing, and tell its owner in the desk."""
    now = timezone.now()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        paused_at=now, pause_reason=reason[:300]
    )
    outbox.notify_in_app(
        recipient=subscription.owner,
        case=None,
        kind=Notice.Kind.WEBHOOK_PAUSED,
        subject=f"Webhook “{subscription.name}” paused: its receiver keeps failing",
        body=f"{reason}\n\nResume it on the webhooks page once {subscription.url} answers.",
        key=f"webhook-paused:{subscription.pk}:{now.isoformat()}",
    )


def resume(subscription: WebhookSubscription) -> int:
    """Send again: every delivery still pending is due now. Returns how many."""
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        paused_at=None, pause_reason="", failures=0
    )
    waiting = WebhookDelivery.objects.filter(
        subscription=subscription, status=WebhookDelivery.Status.PENDING
    )
    ids = list(waiting.values_list("pk", flat=True))
    waiting.update(next_attempt=timezone.now())
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return len(ids)


def redrive(now=None, *, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come (a retry, a lost message, a dead worker)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            status=WebhookDelivery.Status.PENDING,
            next_attempt__lte=now,
            subscription__paused_at__isnull=True,
        )
        .order_by("next_attempt", "pk")
        .values_list("pk", flat=True)[:limit]
    )
