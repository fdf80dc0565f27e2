"""Webhooks from a real worker to a real receiver on loopback: each event a row of the
outbox first, signed with the subscription's secret, delivered at least once with its
event id, retried after the receiver was down, and a receiver that keeps failing paused
with its owner told."""

import hashlib
import hmac
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from helpdesk.api import webhooks
from helpdesk.api.models import WebhookDelivery, WebhookSubscription
from notifications.models import Notice
from tests.api.receiver import Receiver
from tests.helpers import report_case, wait_for

EVENTS = ["case.created", "case.owner_changed", "case.public_entry"]
# A reply as the service writes it, and its webhook: the subscriptions (once), one insert
# of every receiver's delivery, their ids.
REPLY_QUERIES = 12


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def subscription(receiver, manager):
    return WebhookSubscription.objects.create(
        owner=manager, name="Monitoring", url=receiver.url, secret="s3cret" * 4, events=EVENTS
    )


def signed_by(secret: str, request: dict) -> bool:
    stamp, mac = (
        part.split("=", 1)[1] for part in request["headers"]["X-Helpdesk-Signature"].split(",")
    )
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request["raw"], hashlib.sha256)
    return hmac.compare_digest(mac, expected.hexdigest()) and abs(time.time() - int(stamp)) < 300


@pytest.mark.slow
def test_a_monitoring_script_follows_its_case_by_webhooks(
    celery_worker, api, receiver, subscription, agent, customer
):
    script = api(customer)
    opened = script.post("/api/v1/cases/", {"title": "Disk full on backup server"}).json()
    reference = opened["reference"]
    dana = api(agent)
    dana.post(f"/api/v1/cases/{reference}/take/")
    dana.post(f"/api/v1/cases/{reference}/reply/", {"body": "Freed 40 GB; the backup runs again."})

    reply = "Freed 40 GB; the backup runs again."
    wait_for(
        lambda: any(
            r["json"]["data"]["entry"]["body"] == reply
            for r in receiver.events("case.public_entry")
        ),
        timeout=20,
    )
    created = receiver.events("case.created")[0]
    assert created["json"]["data"]["case"]["reference"] == reference
    assert created["headers"]["X-Helpdesk-Event"] == "case.created"
    assert created["headers"]["X-Helpdesk-Delivery"] == created["json"]["id"]
    assert receiver.events("case.owner_changed")[0]["json"]["data"]["case"]["owner"] == "Dana Lee"
    assert all(signed_by(subscription.secret, r) for r in receiver.received)
    ids = [r["json"]["id"] for r in receiver.received]
    assert len(ids) == len(set(ids))  # once each
    # The script reads the owner's reply through the API.
    timeline = script.get(f"/api/v1/cases/{reference}/timeline/").json()
    assert timeline[-1]["body"] == "Freed 40 GB; the backup runs again."
    assert timeline[-1]["author"]["name"] == "Dana Lee"


@pytest.mark.slow
def test_events_wait_while_the_receiver_is_down_and_arrive_once_it_is_back(
    celery_worker, api, receiver, subscription, agent, customer, settings
):
    settings.WEBHOOK_RETRY_SECONDS = 1
    receiver.stop()
    reference = api(customer).post("/api/v1/cases/", {"title": "VPN drops"}).json()["reference"]

    wait_for(lambda: WebhookDelivery.objects.exclude(error="").exists(), timeout=20)
    pending = WebhookDelivery.objects.get(event="case.created")
    assert pending.status == WebhookDelivery.Status.PENDING
    assert "refused" in pending.error.lower()
    receiver.start()  # back, on the same port
    wait_for(
        lambda: webhooks.enqueue(webhooks.redrive()) or receiver.events("case.created"),
        timeout=20,
        interval=0.5,
    )

    [created] = receiver.events("case.created")
    assert created["json"]["data"]["case"]["reference"] == reference
    delivery = WebhookDelivery.objects.get(event="case.created")
    assert delivery.status == WebhookDelivery.Status.SENT and delivery.attempts >= 2


@pytest.mark.django_db
def test_a_receiver_that_keeps_failing_is_paused_and_its_owner_told(
    api, receiver, subscription, agent, customer, manager, settings
):
    settings.WEBHOOK_PAUSE_AFTER = 2
    receiver.answer = 500
    for title in ("One", "Two"):
        api(customer).post("/api/v1/cases/", {"title": title})

    for delivery in WebhookDelivery.objects.order_by("pk"):
        assert webhooks.deliver(delivery.pk) == "failed"

    subscription.refresh_from_db()
    assert subscription.is_paused and "2 failed attempts in a row" in subscription.pause_reason
    told = Notice.objects.get(recipient=manager, kind=Notice.Kind.WEBHOOK_PAUSED)
    assert "Monitoring" in told.subject
    # Paused: nothing is sent, nothing is lost.
    api(customer).post("/api/v1/cases/", {"title": "Three"})
    assert webhooks.redrive() == []
    receiver.answer = 204
    receiver.received.clear()  # the two refused
    assert webhooks.resume(subscription) == 3
    for pk in webhooks.redrive(timezone.now()):
        assert webhooks.deliver(pk) == "sent"
    assert [r["json"]["data"]["case"]["title"] for r in receiver.events("case.created")] == [
        "One", "Two", "Three",
    ]  # fmt: skip


@pytest.mark.django_db
def test_each_event_comes_from_what_the_desk_writes(
    subscription, agent, hw_agent, customer, hardware
):
    subscription.events = list(webhooks.EVENTS)
    subscription.save()
    case = report_case(customer, "Dock flickers")
    case = services.take_ownership(case=case, acting_user=agent, expected_version=case.version)
    services.add_internal_note(case=case, acting_user=agent, body="Firmware 2.1 suspected.")
    handoff = services.request_handoff(
        case=case, acting_user=agent, department=hardware, needed="Swap the dock"
    )
    services.decline_handoff(handoff=handoff, acting_user=hw_agent, reason="Not a hardware fault")

    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events[:2] == ["case.created", "case.owner_changed"]
    assert "case.status_changed" in events and "handoff.requested" in events
    assert "handoff.declined" in events
    notes = WebhookDelivery.objects.filter(payload__data__entry__body="Firmware 2.1 suspected.")
    assert not notes.exists()  # an internal note is no event


@pytest.mark.django_db
def test_an_email_the_customer_was_sent_is_told_once(subscription, laptop, customer):
    subscription.events = ["notice.sent"]
    subscription.save()
    notice = Notice.objects.create(
        recipient=customer, case=laptop, kind=Notice.Kind.AGENT_REPLY,
        channel=Notice.Channel.EMAIL, subject="Your laptop", idempotency_key="k1",
        status=Notice.Status.SENT, sent_at=timezone.now(),
    )  # fmt: skip

    assert webhooks.record_sent_notices(timezone.now() + timezone.timedelta(seconds=1)) == 1
    webhooks.record_sent_notices(timezone.now() + timezone.timedelta(seconds=2))  # overlap

    [told] = WebhookDelivery.objects.filter(event="notice.sent")
    assert told.payload["data"]["notice"] == {
        "id": notice.pk, "kind": "agent_reply", "subject": "Your laptop",
        "to": "customer@example.test", "sent": notice.sent_at.isoformat(),
    }  # fmt: skip


def test_the_docs_receiver_code_verifies_our_signature():
    """The verifier docs/api.md gives receivers accepts what we sign, and nothing else."""
    docs = (settings.BASE_DIR / "docs" / "api.md").read_text()
    code = docs.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # our own documentation
    verified = namespace["verified"]
    body = b'{"id":"1","type":"case.created"}'
    header = webhooks.sign("topsecret", int(time.time()), body)

    assert verified("topsecret", header, body)
    assert not verified("topsecret", header, body + b" ")
    assert not verified("other", header, body)
    old = webhooks.sign("topsecret", int(time.time()) - 3600, body)
    assert not verified("topsecret", old, body)


@pytest.mark.django_db
@pytest.mark.parametrize("receivers", [1, 5])
def test_a_reply_costs_the_same_queries_however_many_receivers_hear_it(
    receivers, receiver, manager, agent, laptop
):
    WebhookSubscription.objects.bulk_create(
        WebhookSubscription(owner=manager, name=f"R{n}", url=receiver.url, secret="s",
                            events=["case.public_entry"])
        for n in range(receivers)
    )  # fmt: skip

    with CaptureQueriesContext(connection) as captured:
        services.reply_to_customer(case=laptop, acting_user=agent, body="On its way.")

    # The subscriptions read once for the reply's entry; one insert for every receiver.
    reads = [q for q in captured.captured_queries if 'FROM "api_webhooksubscription"' in q["sql"]]
    assert len(reads) == 1
    assert len(captured.captured_queries) == REPLY_QUERIES
    assert WebhookDelivery.objects.count() == receivers
