"""The outbox: a message is a row first, written once, sent once, merged for one voice,
retried with backoff when the mail server is down, and picked up again when a worker
dies in the middle of sending. What the customer's inbox (an SMTP sink) receives is what
these tests look at."""

from datetime import timedelta

import pytest

from cases import services
from cases.models import Case, Priority
from cases.services import handoffs, promises
from notifications import delivery, outbox
from notifications.models import Notice
from notifications.sweep import run_sweep
from tests.factories import AgentFactory, DepartmentFactory
from tests.helpers import LAPTOP, deliver_due_email, fresh, notices, open_case
from tests.sla.seed import HOUR, T0
from tests.smtp import SmtpSink, body_text, use_smtp

MINUTE = timedelta(minutes=1)


@pytest.fixture
def case(db, agent, customer, clock) -> Case:
    """Alex's case, owned by Dana (no SLA policy unless a test adds `policies`)."""
    return open_case(agent, customer, **LAPTOP, priority=Priority.NORMAL, owner=agent)


# --- written once ------------------------------------------------------------------------


def test_the_same_idempotency_key_writes_one_notice(case, customer, agent):
    first = outbox.notify_by_email(
        recipient=customer, case=case, kind="test", subject="Hi", body="One", key="k:1"
    )
    second = outbox.notify_by_email(
        recipient=customer, case=case, kind="test", subject="Hi", body="Two", key="k:1"
    )
    outbox.notify_in_app(recipient=agent, case=case, kind="test", subject="Hi", key="k:2")
    outbox.notify_in_app(recipient=agent, case=case, kind="test", subject="Hi", key="k:2")

    assert first is not None
    assert second is None
    assert list(Notice.objects.filter(idempotency_key="k:1").values_list("body", flat=True)) == [
        "One"
    ]
    assert Notice.objects.filter(idempotency_key="k:2").count() == 1


def test_delivering_a_notice_twice_sends_one_email(case, customer, agent, smtp_sink):
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    notice = notices(customer).get()

    assert delivery.deliver(notice.pk) == 1
    assert delivery.deliver(notice.pk) == 0  # a duplicate broker message
    assert deliver_due_email() == 0

    assert len(smtp_sink.to(customer.email)) == 1


def test_a_batch_of_emails_costs_one_claim_and_one_update_per_email(
    agent, customer, clock, smtp_sink
):
    """The sweep's and the re-drive's chunks: every email arrives; the claim costs the same
    few queries for two emails as for six, and each email is marked sent as soon as the
    server takes it (a worker killed later in the batch must not leave it to go again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def replies(count: int) -> list[int]:
        for n in range(count):
            case = services.open_case(
                acting_user=agent, customer=customer, title=f"Case {n}", description="Broken."
            )
            case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
            services.reply_to_customer(case=case, acting_user=agent, body=f"Reply {n}.")
        return list(
            notices(customer).filter(status=Notice.Status.PENDING).values_list("pk", flat=True)
        )

    counted = []
    for count in (2, 6):
        ids = replies(count)
        with CaptureQueriesContext(connection) as queries:
            assert delivery.deliver_many(ids) == count
        counted.append(len(queries))

    assert counted == [5 + 2, 5 + 6]  # ids, lock, claim (+ one savepoint); one per email
    assert len(smtp_sink.to(customer.email)) == 8
    assert not notices(customer).exclude(status=Notice.Status.SENT).exists()


# --- one voice: throttled and merged ---------------------------------------------------------


def test_customer_updates_inside_the_window_arrive_as_one_email(
    case, customer, agent, smtp_sink, clock, settings
):
    settings.CUSTOMER_EMAIL_THROTTLE = 15 * 60
    services.reply_to_customer(case=case, acting_user=agent, body="First: we are on it.")
    assert deliver_due_email() == 1

    clock.move_to(T0 + 5 * MINUTE, tick=False)
    services.reply_to_customer(case=case, acting_user=agent, body="Second: a part is ordered.")
    clock.move_to(T0 + 10 * MINUTE, tick=False)
    services.reply_to_customer(case=case, acting_user=agent, body="Third: it ships tomorrow.")

    waiting = notices(customer).filter(status=Notice.Status.PENDING)
    assert waiting.count() == 2
    assert {n.send_after for n in waiting} == {T0 + 15 * MINUTE}
    assert deliver_due_email() == 0  # still inside the window
    assert len(smtp_sink.to(customer.email)) == 1

    clock.move_to(T0 + 15 * MINUTE, tick=False)
    assert deliver_due_email() == 2

    first, merged = smtp_sink.to(customer.email)
    assert "First: we are on it." in body_text(first)
    assert merged["Subject"] == (f"[{case.reference}] 2 updates on your case: {case.title}")
    text = body_text(merged)
    assert "Second: a part is ordered." in text
    assert "Third: it ships tomorrow." in text
    assert "First: we are on it." not in text
    assert not notices(customer).exclude(status=Notice.Status.SENT).exists()
    second, third = notices(customer).order_by("created")[1:]
    assert third.merged_into == second
    assert merged["Message-ID"] == f"<notice-{second.pk}@{settings.MESSAGE_ID_DOMAIN}>"


# --- retries -------------------------------------------------------------------------------


def test_delivery_retries_with_backoff_while_the_mail_server_is_down(
    case, customer, agent, smtp_down, clock, settings
):
    settings.NOTICE_MAX_ATTEMPTS = 3
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    notice = notices(customer).get()

    assert delivery.deliver(notice.pk) == 0

    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING
    assert notice.attempts == 1
    assert notice.send_after == T0 + 60 * timedelta(seconds=1)
    assert "ConnectionRefusedError" in notice.last_error
    assert delivery.deliver(notice.pk) == 0  # not before its time
    notice.refresh_from_db()
    assert notice.attempts == 1

    clock.move_to(T0 + 61 * timedelta(seconds=1), tick=False)
    assert deliver_due_email() == 0
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.PENDING, 2)
    assert notice.send_after == T0 + 61 * timedelta(seconds=1) + 2 * MINUTE  # doubled

    clock.move_to(notice.send_after, tick=False)
    assert deliver_due_email() == 0
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.FAILED, 3)
    assert notice.sent_at is None

    clock.move_to(T0 + 24 * HOUR, tick=False)
    assert delivery.redrive() == []  # a failed notice waits for a person, not a loop


def test_a_notice_held_up_by_a_mail_server_outage_is_sent_when_it_is_back(
    case, customer, agent, smtp_down, clock, settings
):
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    notice = notices(customer).get()
    assert delivery.deliver(notice.pk) == 0

    sink = SmtpSink().start()
    try:
        use_smtp(settings, sink.port)
        clock.move_to(T0 + 2 * MINUTE, tick=False)
        assert deliver_due_email() == 1
    finally:
        sink.stop()

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 2)
    [message] = sink.to(customer.email)
    assert "We are on it." in body_text(message)


# --- a worker that dies mid-delivery ---------------------------------------------------------


class WorkerKilled(BaseException):
    """What the process sees of SIGKILL: nothing after this point runs."""


def test_a_notice_left_sending_by_a_dead_worker_is_redriven_after_its_lease(
    case, customer, agent, smtp_sink, clock, settings, monkeypatch
):
    settings.NOTICE_LEASE_SECONDS = 120
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    notice = notices(customer).get()

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.backends.smtp.EmailBackend.send_messages", killed)
        with pytest.raises(WorkerKilled):
            delivery.deliver(notice.pk)

    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENDING
    assert notice.lease_until == T0 + 120 * timedelta(seconds=1)
    assert delivery.deliver(notice.pk) == 0  # another worker leaves a held row alone

    clock.move_to(T0 + 119 * timedelta(seconds=1), tick=False)
    assert delivery.redrive() == []
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENDING

    clock.move_to(T0 + 121 * timedelta(seconds=1), tick=False)
    assert delivery.redrive() == [notice.pk]
    assert delivery.deliver(notice.pk) == 1

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 2)
    [message] = smtp_sink.to(customer.email)
    assert message["Message-ID"] == f"<notice-{notice.pk}@{settings.MESSAGE_ID_DOMAIN}>"
    assert message["In-Reply-To"] == f"<case-{case.pk}@{settings.MESSAGE_ID_DOMAIN}>"


# --- one voice never says what is internal ------------------------------------------------------


def test_internal_notes_never_reach_the_customers_email(
    policies, case, customer, agent, smtp_sink, clock, settings
):
    """Everything that writes to the customer, on a case full of internal notes: replies,
    waiting on them, the sweep's delay notice (with where the case is), the owner's own
    delay notice, the proposed fix."""
    marker = "INTERNAL-7f3a9c"
    hardware = DepartmentFactory(name="Hardware")
    AgentFactory(full_name="Sam Okafor", departments=[hardware])
    case = fresh(case)
    services.add_internal_note(
        case=case, acting_user=agent, body=f"{marker}: customer is on a legacy contract"
    )
    handoffs.request_handoff(
        case=case,
        acting_user=agent,
        department=hardware,
        needed=f"Replace the PSU. {marker}",
        customer_summary="replacement power supply ordered",
    )

    def at(offset: timedelta) -> None:
        clock.move_to(T0 + offset, tick=False)
        deliver_due_email()

    at(5 * MINUTE)
    services.reply_to_customer(case=case, acting_user=agent, body="We are looking at it.")
    at(30 * MINUTE)
    services.wait_on_customer(
        case=case, acting_user=agent, expected_version=None, message="Which adapter is it?"
    )
    services.add_internal_note(case=case, acting_user=agent, body=f"{marker} again")
    at(1 * HOUR)
    services.resume(case=case, acting_user=agent, expected_version=None)
    # Resolution due at T0+12h plus the half hour paused; the customer is told an hour before.
    at(12 * HOUR)
    run_sweep(now=T0 + 12 * HOUR)
    at(12 * HOUR + 10 * MINUTE)
    promises.send_delay_notice(
        case=fresh(case),
        acting_user=agent,
        message="The part is late; we will fit it on arrival.",
        new_eta=T0 + 30 * HOUR,
    )
    at(12 * HOUR + 20 * MINUTE)
    services.propose_resolution(
        case=fresh(case),
        acting_user=agent,
        body="We replaced the power supply.",
        expected_version=None,
        cancel_open_handoffs=True,
    )
    at(13 * HOUR)
    at(14 * HOUR)

    received = smtp_sink.to(customer.email)
    everything = "\n".join(
        f"{m['Subject']}\n{body_text(m)}\n{m.get_body(preferencelist=('html',)).get_content()}"
        for m in received
    )
    assert len(received) >= 4
    for said in (
        "We are looking at it.",
        "Which adapter is it?",
        "will take longer than we promised",
        "replacement power supply ordered",
        "The part is late",
        "We replaced the power supply.",
    ):
        assert said in everything
    assert marker not in everything
    assert not notices(customer).exclude(status=Notice.Status.SENT).exists()
