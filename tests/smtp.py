"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, keeping what it receives."""

import asyncio
import email
import socket
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


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

    def saying(self, address: str, words: str) -> list[EmailMessage]:
        """The messages to `address` whose plain text contains `words`."""
        return [m for m in self.to(address) if words in body_text(m)]

    def wait_for(
        self, address: str, count: int = 1, timeout: float = 15.0, *, subject: str = ""
    ) -> list[EmailMessage]:
        """Poll until `count` messages to `address` (whose subject contains `subject`)
        arrived, or `timeout` passes; returns those messages."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.to(address) if subject in str(m["Subject"])]
            if len(found) >= count or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def use_smtp(settings, port: int) -> None:
    """Django sends its mail to the SMTP server on `port`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
