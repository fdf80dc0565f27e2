"""`python manage.py ingest_email [FILE ...] [--maildir DIR] [--mailbox NAME]`.

Reads one message from stdin when given no file, each FILE as one message, or every
message of a Maildir (moving handled ones to its `cur/` folder, as a mail client would).
"""

import mailbox
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notifications import inbound


class Command(BaseCommand):
    help = "Receive email into the helpdesk from stdin, files or a Maildir."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="message files (.eml); stdin if none")
        parser.add_argument("--maildir", help="a Maildir to read new messages from")
        parser.add_argument("--mailbox", default="default", help="mailbox name for dedup")

    def handle(self, *args, files, maildir, mailbox: str, **options):
        if maildir:
            self._maildir(Path(maildir), mailbox)
            return
        if files:
            for name in files:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"No such file: {name}")
                self._one(path.read_bytes(), mailbox, label=name)
            return
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        self._one(raw, mailbox, label="stdin")

    def _one(self, raw: bytes, mailbox_name: str, *, label: str) -> None:
        stored = inbound.receive(raw, mailbox=mailbox_name)
        where = f" → {stored.case.reference}" if stored.case_id else ""
        notes = [stored.reason] if stored.reason else []
        if getattr(stored, "redelivered", False):
            notes.append(f"a redelivery of message {stored.pk}: nothing new")
        elif stored.reuses_message_id_of_id:
            notes.append(
                f"a different message reusing the Message-ID of message "
                f"{stored.reuses_message_id_of_id}"
            )
        extra = f" ({'; '.join(notes)})" if notes else ""
        self.stdout.write(f"{label}: {stored.get_status_display()}{where}{extra}")

    def _maildir(self, path: Path, mailbox_name: str) -> None:
        if not (path / "new").is_dir():
            raise CommandError(f"{path} is not a Maildir (no new/ folder).")
        box = mailbox.Maildir(path, create=False)
        for key in list(box.iterkeys()):
            message = box.get_message(key)
            if message.get_subdir() != "new":
                continue
            self._one(box.get_bytes(key), mailbox_name, label=key)
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
