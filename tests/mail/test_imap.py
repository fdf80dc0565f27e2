"""IMAP polling against a fake server at the network edge (imaplib.IMAP4_SSL): unseen mail
is received and then marked seen; a connection dropped at any point leaves what was not
stored unseen, and the next poll receives it exactly once."""

import imaplib

import pytest

from cases.models import Case
from notifications import imap
from notifications.models import InboundMessage
from notifications.tasks import poll_imap
from tests.mail.corpus import ALEX, by_hand, envelope, plain


class FakeServer:
    """The mailbox on the IMAP server: messages by UID, their \\Seen flags, and faults to
    inject (the connection drops when a given UID is fetched or flagged)."""

    def __init__(self, messages: list[bytes], *, seen: tuple[int, ...] = ()):
        self.messages = {str(uid).encode(): raw for uid, raw in enumerate(messages, start=1)}
        self.seen = {str(uid).encode() for uid in seen}
        self.drop_on_fetch: bytes | None = None
        self.drop_on_store: bytes | None = None
        self.connections: list[tuple] = []
        self.fetched: list[bytes] = []

    def unseen(self) -> list[bytes]:
        return [uid for uid in self.messages if uid not in self.seen]

    def connect(self, host, port, timeout=None) -> "FakeIMAP4SSL":
        self.connections.append((host, port))
        return FakeIMAP4SSL(self)


class FakeIMAP4SSL:
    """The client side of imaplib that `notifications.imap` uses, talking to a FakeServer."""

    def __init__(self, server: FakeServer):
        self.server = server
        self.state = "NONAUTH"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.state = "LOGOUT"  # imaplib swallows a failing LOGOUT on exit

    def login(self, user, password):
        if password != "imap-pw":
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")
        self.state = "AUTH"
        return "OK", [b"Logged in"]

    def select(self, folder="INBOX"):
        assert self.state == "AUTH"
        self.state = "SELECTED"
        return "OK", [str(len(self.server.messages)).encode()]

    def uid(self, command, *args):
        assert self.state == "SELECTED"
        server = self.server
        if command.lower() == "search":
            assert args[-1] == "UNSEEN"
            return "OK", [b" ".join(server.unseen())]
        uid = args[0] if isinstance(args[0], bytes) else args[0].encode()
        if command.lower() == "fetch":
            if uid == server.drop_on_fetch:
                server.drop_on_fetch = None
                raise imaplib.IMAP4.abort("socket error: EOF")
            if "PEEK" not in args[1]:
                server.seen.add(uid)  # a plain BODY[] fetch sets \Seen on a real server
            server.fetched.append(uid)
            raw = server.messages[uid]
            return "OK", [(b"%s (UID %s BODY[] {%d}" % (uid, uid, len(raw)), raw), b")"]
        if command.lower() == "store":
            if uid == server.drop_on_store:
                server.drop_on_store = None
                raise ConnectionResetError(104, "Connection reset by peer")
            assert args[1:] == ("+FLAGS", "(\\Seen)")
            server.seen.add(uid)
            return "OK", [b"%s (FLAGS (\\Seen))" % uid]
        raise AssertionError(f"unexpected IMAP command {command}")


@pytest.fixture
def imap_server(settings, monkeypatch, acme, customer):
    """Three unseen messages from Alex and one Alex read already in a mail client."""
    settings.IMAP_HOST = "imap.mail.example"
    settings.IMAP_PORT = 993
    settings.IMAP_USER = "support@helpdesk.localhost"
    settings.IMAP_PASSWORD = "imap-pw"
    server = FakeServer(
        [plain(f"imap-{n}", f"Message {n} over IMAP.", subject=f"IMAP {n}") for n in (1, 2, 3)]
        + [plain("imap-read", "Read in a mail client.", subject="Already read")],
        seen=(4,),
    )
    monkeypatch.setattr(imap.imaplib, "IMAP4_SSL", server.connect)
    return server


def titles() -> list[str]:
    return sorted(Case.objects.filter(title__startswith="IMAP").values_list("title", flat=True))


def test_unseen_messages_are_received_and_marked_seen(imap_server):
    poll_imap()  # the task beat runs every IMAP_POLL_INTERVAL

    assert imap_server.connections == [("imap.mail.example", 993)]
    assert titles() == ["IMAP 1", "IMAP 2", "IMAP 3"]
    assert imap_server.unseen() == []
    assert b"4" not in imap_server.fetched
    assert set(InboundMessage.objects.values_list("mailbox", flat=True)) == {
        "imap:support@helpdesk.localhost"
    }


def test_a_connection_dropped_mid_fetch_leaves_the_rest_for_the_next_poll(imap_server):
    imap_server.drop_on_fetch = b"2"

    assert imap.poll() == 1

    assert titles() == ["IMAP 1"]
    assert imap_server.unseen() == [b"2", b"3"]

    assert imap.poll() == 2
    assert imap.poll() == 0

    assert titles() == ["IMAP 1", "IMAP 2", "IMAP 3"]
    assert InboundMessage.objects.count() == 3
    assert imap_server.unseen() == []


def test_a_connection_dropped_before_marking_seen_reads_the_message_once(imap_server):
    imap_server.drop_on_store = b"1"

    assert imap.poll() == 0

    assert titles() == ["IMAP 1"]  # stored and read, but still unseen on the server
    assert imap_server.unseen() == [b"1", b"2", b"3"]

    assert imap.poll() == 3

    assert titles() == ["IMAP 1", "IMAP 2", "IMAP 3"]  # IMAP 1 once, not twice
    assert imap_server.fetched.count(b"1") == 2
    assert imap_server.unseen() == []


def test_malformed_messages_do_not_block_the_mailbox(imap_server):
    """Headers the standard parser or the database cannot take are stored and handled like
    any other mail; the messages behind them are not held up."""
    imap_server.messages = {
        b"1": by_hand(envelope("bad-from", sender="noreply@", subject="Report"), "3 warnings\n"),
        b"2": by_hand(envelope("nul", subject="IMAP fan\x00 noise"), "The fan is loud.\n"),
        b"3": b"Message-ID: <"
        + ("長" * 400).encode()
        + b">\r\n"
        + by_hand([("From", ALEX), ("Subject", "IMAP long id")], "The id is long.\n"),
        b"4": plain("after-bad", "Behind the broken ones.", subject="IMAP after"),
    }
    imap_server.seen.clear()

    assert imap.poll() == 4

    assert imap_server.unseen() == []
    broken = InboundMessage.objects.get(message_id="<bad-from@mail.acme.example>")
    assert broken.status == InboundMessage.Status.QUARANTINED
    assert titles() == ["IMAP after", "IMAP fan noise", "IMAP long id"]


def test_a_failed_login_is_retried_at_the_next_poll(imap_server, settings):
    settings.IMAP_PASSWORD = "wrong"

    assert imap.poll() == 0

    assert imap_server.unseen() == [b"1", b"2", b"3"]
    assert not InboundMessage.objects.exists()


def test_no_host_no_poll(imap_server, settings):
    settings.IMAP_HOST = ""

    assert imap.poll() == 0
    assert imap_server.connections == []
