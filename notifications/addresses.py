"""The addresses and ids that tie mail to a case, read by delivery and inbound alike.

Every email we send carries a Message-ID of ours and refers to the case's thread root;
a customer's copy has a signed reply address (support+<case>.<hmac>@domain), so a reply
finds its case even when a mail client drops the headers.
"""

import hashlib
import hmac

from django.conf import settings


def message_id(notice_id: int) -> str:
    return f"<notice-{notice_id}@{settings.MESSAGE_ID_DOMAIN}>"


def thread_id(case_id: int) -> str:
    """The case's thread root: every message about a case refers to it."""
    return f"<case-{case_id}@{settings.MESSAGE_ID_DOMAIN}>"


def reply_token(case_id: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"reply:{case_id}".encode(), hashlib.sha256
    ).hexdigest()[:16]
    return f"{case_id}.{digest}"


def reply_address(case_id: int) -> str:
    """support+<case>.<hmac>@domain: replies find their case even without headers."""
    local, _, domain = settings.INBOUND_ADDRESS.partition("@")
    return f"{local}+{reply_token(case_id)}@{domain}"


def case_from_token(token: str) -> int | None:
    """The case a reply token names, or None when it is forged or malformed."""
    case_id, _, _digest = token.partition(".")
    if not case_id.isdigit():
        return None
    return int(case_id) if hmac.compare_digest(reply_token(int(case_id)), token) else None
