"""Helpers for tests of the second factor: real TOTP codes (RFC 6238, written here apart from
the library under test) and the steps a person takes to enrol and to sign in."""

import base64
import hashlib
import hmac
import re
import struct
from datetime import datetime

from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.helpers import sign_in

ENROLMENT_CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


def totp(secret: str, at: datetime | None = None, period: int = 30) -> str:
    """The six-digit code an authenticator app shows for `secret` at `at` (now)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or timezone.now()).timestamp()) // period
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def emailed_code(address: str) -> str:
    """The sign-in code in the newest email to `address`."""
    message = [m for m in mail.outbox if address in m.to][-1]
    return ENROLMENT_CODE.search(message.body).group(1)


def secret_on(page: str) -> str:
    return re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)


def enrol_totp(client: Client, committed) -> tuple[str, list[str]]:
    """Add an authenticator app on a signed-in client: the secret and the recovery codes
    shown afterwards. `committed` is pytest-django's `django_capture_on_commit_callbacks`
    (what follows the enrolment's commit: the audit entry, the notification email)."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    secret = secret_on(page.content.decode())
    with committed(execute=True):
        done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert done.status_code == 302, done.content.decode()[:2000]
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>(.*?)</textarea>', page, re.S)
    return secret, codes.group(1).split()


def sign_in_with_code(client: Client, email: str, code: str, password: str = "pw"):
    """The password, then the second factor: the last response."""
    first = sign_in(client, email, password)
    assert first.status_code == 302 and first["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": code})
