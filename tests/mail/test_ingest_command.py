"""`manage.py ingest_email`: one message on stdin (as an MTA's pipe delivers it), message
files, or a Maildir whose handled messages move from new/ to cur/."""

import io
import mailbox
import sys

import pytest
from django.core.management import CommandError

from cases.models import Case, EntryKind
from notifications.models import InboundMessage
from tests.helpers import entries, run_command
from tests.mail.corpus import plain


def test_it_reads_one_message_from_stdin(acme, customer, monkeypatch):
    raw = plain("stdin-1", "The wifi in hall C drops.", subject="Wifi in hall C")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))

    output = run_command("ingest_email")

    case = Case.objects.get(title="Wifi in hall C")
    assert case.customer == customer
    assert output.strip() == f"stdin: Added to a case → {case.reference}"


def test_an_empty_stdin_is_an_error(monkeypatch, db):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n")))

    with pytest.raises(CommandError, match="No message on standard input"):
        run_command("ingest_email")
    assert not InboundMessage.objects.exists()


def test_it_reads_message_files(case, context, tmp_path):
    first = tmp_path / "1.eml"
    first.write_bytes(plain("file-1", "Here is the photo.", In_Reply_To=context.notice()))
    second = tmp_path / "2.eml"
    second.write_bytes(plain("file-2", "Hi", sender="pat@elsewhere.example", subject="Hi"))

    output = run_command("ingest_email", str(first), str(second), "--mailbox", "files")

    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == ["Here is the photo."]
    assert output.splitlines() == [
        f"{first}: Added to a case → {case.reference}",
        f"{second}: Quarantined (Unknown sender pat@elsewhere.example: accept it to create "
        "the customer.)",
    ]
    assert set(InboundMessage.objects.values_list("mailbox", flat=True)) == {"files"}


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_command("ingest_email", str(tmp_path / "missing.eml"))


def test_it_reads_a_maildir_and_moves_what_it_read_to_cur(acme, customer, tmp_path):
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for n in range(3):
        maildir.add(plain(f"maildir-{n}", f"Message number {n}.", subject=f"Maildir {n}"))
    already_read = mailbox.MaildirMessage(plain("old", "Read by a person.", subject="Old"))
    already_read.set_subdir("cur")
    maildir.add(already_read)
    assert len(list((tmp_path / "Maildir" / "new").iterdir())) == 3

    run_command("ingest_email", "--maildir", str(tmp_path / "Maildir"))

    assert list((tmp_path / "Maildir" / "new").iterdir()) == []
    assert len(list((tmp_path / "Maildir" / "cur").iterdir())) == 4
    assert sorted(Case.objects.filter(customer=customer).values_list("title", flat=True)) == [
        "Maildir 0",
        "Maildir 1",
        "Maildir 2",
    ]
    flags = sorted(message.get_flags() for message in mailbox.Maildir(tmp_path / "Maildir"))
    assert flags == ["", "S", "S", "S"]  # what we read is marked seen, as a mail client would

    # Nothing new: nothing happens.
    run_command("ingest_email", "--maildir", str(tmp_path / "Maildir"))
    assert InboundMessage.objects.count() == 3


def test_a_folder_that_is_not_a_maildir_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="is not a Maildir"):
        run_command("ingest_email", "--maildir", str(tmp_path))
