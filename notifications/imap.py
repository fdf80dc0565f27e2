"""IMAP polling (IMAPS): fetch unseen messages, receive each, then mark it seen.

A message is marked seen only after it is stored, so a dropped connection at any point
means it is fetched again next time, and the unique Message-ID makes that a no-op.
"""

import imaplib
import logging

from django.conf import settings

from notifications import inbound

log = logging.getLogger(__name__)


def poll(*, limit: int = 200) -> int:
    """Receive up to `limit` unseen messages; returns how many were handled."""
    if not settings.IMAP_HOST:
        return 0
    handled = 0
    try:
        with imaplib.IMAP4_SSL(settings.IMAP_HOST, settings.IMAP_PORT, timeout=30) as imap:
            imap.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
            imap.select(settings.IMAP_FOLDER)
            _status, data = imap.uid("search", None, "UNSEEN")
            for uid in (data[0] or b"").split()[:limit]:
                _status, parts = imap.uid("fetch", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue
                inbound.receive(raw, mailbox=f"imap:{settings.IMAP_USER}")
                imap.uid("store", uid, "+FLAGS", "(\\Seen)")
                handled += 1
    except (OSError, imaplib.IMAP4.error) as exc:
        # The next poll starts over; nothing was marked seen that was not stored.
        log.warning("IMAP poll stopped after %s messages: %s", handled, exc)
    return handled
