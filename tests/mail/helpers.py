"""Helpers for the mail tests: the page's text as a person reads it, signed-in browsers,
a case's customer messages, and the webhook's signature."""

import hashlib
import hmac
import html
import re

from django.test import Client

from cases.models import Case, EntryKind, TimelineEntry

BLOCK_TAG = re.compile(r"</?(p|div|li|td|th|tr|br|h[1-6]|option|button|label|form)\b[^>]*>", re.I)


def page_text(response) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(BLOCK_TAG, " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def customer_messages(case: Case) -> list[TimelineEntry]:
    return list(case.timeline.filter(kind=EntryKind.CUSTOMER_MESSAGE).order_by("pk"))


def signature(secret: str, body: bytes) -> str:
    """The X-Helpdesk-Signature a mail provider computes, written out by hand."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
