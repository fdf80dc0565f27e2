"""Notification fixtures: an SMTP server that keeps what it receives (aiosmtpd on a free
port), calendars and SLA policies, and cases to write about."""

import asyncio
import email
import socket
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests.sla.seed import create_policies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts every message and keeps it, parsed.

    `delay` makes it slow to accept (seconds between receiving DATA and answering 250):
    long enough to kill a worker in the middle of a delivery.
    """

    def __init__(self, *, delay: float = 0.0):
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.receiving = threading.Event()
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list:
        """Poll until `count` messages to `address` arrived or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.to(address)


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture
def smtp_sink(settings):
    """Django sends its mail to a fresh SMTP sink for this test."""
    sink = SmtpSink().start()
    use_smtp(settings, sink.port)
    yield sink
    sink.stop()


@pytest.fixture
def smtp_down(settings):
    """Django sends its mail to a port where nothing listens: connection refused."""
    use_smtp(settings, free_port())


@pytest.fixture
def policies(db):
    return create_policies()
