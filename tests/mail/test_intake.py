"""Receiving: a message is stored once and read once, however often it arrives; mail too big
or too deeply nested waits in quarantine, quickly; a new sender from an organisation's
domain becomes its customer, a stranger waits for an agent."""

import threading
import time

from django.db import connection

from cases.models import Case, EntryKind, Status
from helpdesk.accounts.models import User
from notifications import inbound
from notifications.models import InboundMessage
from tests.helpers import entries, stored_files
from tests.mail.corpus import by_hand, envelope, plain


def test_redelivery_is_a_no_op(case, context, media_root):
    raw = plain(
        "again", "The dock is dead too.", subject="Re: laptop", In_Reply_To=context.notice()
    )

    first, second, third = (inbound.receive(raw) for _ in range(3))

    assert first.pk == second.pk == third.pk
    assert InboundMessage.objects.count() == 1
    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == ["The dock is dead too."]
    assert len(stored_files(media_root / "inbound")) == 1  # the copies are not kept either


def test_redelivery_without_a_message_id_is_a_no_op(acme, customer):
    raw = by_hand(
        [("From", "Alex Kim <customer@example.test>"), ("Subject", "No id")],
        "My mailer sets no Message-ID.\n",
    )

    for _ in range(3):
        inbound.receive(raw)

    stored = InboundMessage.objects.get()
    assert stored.message_id.startswith("<sha256-")
    assert Case.objects.filter(title="No id").count() == 1


def test_a_message_id_too_long_for_the_index_still_identifies_a_redelivery(acme, customer):
    raw = (
        b"Message-ID: <"
        + ("長" * 400).encode()
        + b"@mail.acme.example>\r\n"
        + by_hand(
            [("From", "Alex Kim <customer@example.test>"), ("Subject", "Long id")], "Hello.\n"
        )
    )

    for _ in range(3):
        inbound.receive(raw)

    stored = InboundMessage.objects.get()
    assert stored.message_id.endswith("@long-message-id>")
    assert Case.objects.filter(title="Long id").count() == 1


def test_the_same_message_id_in_another_mailbox_is_a_message_of_its_own(acme, customer):
    raw = plain("two-boxes", "Sent to billing and support.", subject="Two boxes")

    inbound.receive(raw, mailbox="support")
    inbound.receive(raw, mailbox="support")
    inbound.receive(raw, mailbox="billing")

    assert InboundMessage.objects.count() == 2


def test_a_message_stored_but_never_read_is_read_when_it_arrives_again(case, context, monkeypatch):
    """The process died between storing the message and reading it (IMAP had not marked
    it seen): the next delivery reads it, once."""
    raw = plain("crashed", "Sent before the crash.", subject="Re: x", In_Reply_To=context.notice())
    with monkeypatch.context() as patched:
        patched.setattr(inbound, "process", lambda stored: stored)  # dies before reading
        stored = inbound.receive(raw)
    assert stored.status == InboundMessage.Status.RECEIVED

    inbound.receive(raw)
    inbound.receive(raw)

    stored.refresh_from_db()
    assert stored.status == InboundMessage.Status.PROCESSED
    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == ["Sent before the crash."]


def test_two_deliveries_at_once_write_one_entry(transactional_db, case, context, monkeypatch):
    """Two workers get the same message at the same moment (an IMAP poll overlapping the
    next): the second waits for the first and finds it done."""
    raw = plain("twice", "Delivered twice at once.", subject="Re: x", In_Reply_To=context.notice())
    handle = inbound._handle

    def slow_handle(stored, **options):
        time.sleep(0.3)  # long enough for the other delivery to arrive meanwhile
        handle(stored, **options)

    monkeypatch.setattr(inbound, "_handle", slow_handle)
    start = threading.Barrier(2)

    def deliver():
        try:
            start.wait()
            inbound.receive(raw)
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)

    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == [
        "Delivered twice at once."
    ]
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED


def big_message(size: int) -> bytes:
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
    return by_hand(
        envelope(
            "huge",
            ("Content-Type", 'multipart/mixed; boundary="big"'),
            subject="Scans of every page",
        ),
        "--big\nContent-Type: text/plain\n\nAll the scans.\n--big\n"
        'Content-Type: application/pdf; name="scans.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n",
    ) + line * (size // len(line))


def nested_message(depth: int) -> bytes:
    body = ""
    for level in range(depth):
        body += f"--level{level}\nContent-Type: multipart/mixed; boundary=level{level + 1}\n\n"
    body += f"--level{depth}\nContent-Type: text/plain\n\nAt the bottom.\n--level{depth}--\n"
    for level in reversed(range(depth)):
        body += f"--level{level}--\n"
    return by_hand(
        envelope("nested", ("Content-Type", "multipart/mixed; boundary=level0"), subject="Nested"),
        body,
    )


def test_oversized_and_deeply_nested_mail_quarantined_quickly(acme, customer):
    for raw, reason in [
        (big_message(30 * 1024 * 1024), "Too large"),
        (nested_message(200), "MIME nesting deeper than"),
    ]:
        started = time.monotonic()
        stored = inbound.receive(raw)
        elapsed = time.monotonic() - started

        assert stored.status == InboundMessage.Status.QUARANTINED
        assert reason in stored.reason
        assert elapsed < 10, f"{reason}: {elapsed:.1f} s"
    assert not Case.objects.filter(customer=customer).exists()


def test_a_message_of_too_many_parts_waits_in_quarantine(acme, customer, settings):
    parts = "".join(f"--many\nContent-Type: text/plain\n\npart {n}\n" for n in range(500))
    raw = by_hand(
        envelope(
            "many", ("Content-Type", 'multipart/mixed; boundary="many"'), subject="Many parts"
        ),
        parts + "--many--\n",
    )

    stored = inbound.receive(raw)

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert f"More than {settings.INBOUND_MAX_PARTS} MIME parts" in stored.reason


def test_an_unknown_sender_from_an_organisations_domain_becomes_its_customer(acme):
    stored = inbound.receive(
        plain(
            "new-colleague",
            "The badge printer is out of ribbon.",
            sender="Riley Chen <Riley.Chen@ACME.example>",
            subject="Badge printer",
        )
    )

    riley = User.objects.get(email__iexact="riley.chen@acme.example")
    assert riley.is_customer and riley.organization == acme
    assert riley.full_name == "Riley Chen"
    case = stored.case
    assert case.customer == riley and case.organization == acme
    assert case.status == Status.NEW
    assert case.timeline.get(kind=EntryKind.CASE_OPENED).data["channel"] == "email"


def test_a_stranger_waits_in_quarantine(acme):
    stored = inbound.receive(
        plain("stranger", "Do you sell printers?", sender="pat@elsewhere.example", subject="Hi")
    )

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert "Unknown sender pat@elsewhere.example" in stored.reason
    assert not User.objects.filter(email="pat@elsewhere.example").exists()
    assert not Case.objects.filter(title="Hi").exists()
