"""POST /inbound/email/: a mail provider posts the raw MIME, signed with the shared secret
(X-Helpdesk-Signature: sha256=<hex HMAC of the body>). Unsigned or badly signed posts store
nothing; without a secret configured the endpoint does not exist."""

import hashlib
import hmac

import pytest

from cases.models import Case, EntryKind
from notifications.models import InboundMessage
from tests.helpers import entries
from tests.mail.corpus import composed, plain

SECRET = "webhook-test-secret"


@pytest.fixture
def secret(settings) -> str:
    settings.INBOUND_HMAC_SECRET = SECRET
    return SECRET


def signature(secret: str, body: bytes) -> str:
    """The X-Helpdesk-Signature a mail provider computes, written out by hand."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body: bytes, sig: str | None, **query):
    headers = {} if sig is None else {"X-Helpdesk-Signature": sig}
    path = "/inbound/email/" + (f"?mailbox={query['mailbox']}" if query else "")
    return client.post(path, data=body, content_type="message/rfc822", headers=headers)


def test_it_is_not_found_when_no_secret_is_configured(client, settings, acme, customer):
    settings.INBOUND_HMAC_SECRET = ""
    body = plain("unconfigured", "Hello", subject="Hello")

    response = post(client, body, signature("", body))

    assert response.status_code == 404
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    "sig",
    [None, "", "sha256=" + "0" * 64, signature("another-secret", b"x"), "md5=abc", "sha256=é"],
    ids=["missing", "empty", "zeros", "other-secret", "other-scheme", "not-ascii"],
)
def test_a_bad_signature_is_refused(client, secret, acme, customer, sig):
    body = plain("unsigned", "Hello", subject="Hello")

    response = post(client, body, sig)

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert not Case.objects.filter(title="Hello").exists()


def test_a_signature_of_another_body_is_refused(client, secret, acme, customer):
    body = plain("tampered", "Hello", subject="Hello")

    response = post(client, body.replace(b"Hello", b"Hullo"), signature(SECRET, body))

    assert response.status_code == 403


def test_a_signed_message_opens_a_case(client, secret, acme, customer):
    body = plain("signed", "The lift is stuck on floor 3.", subject="Lift stuck")

    response = post(client, body, signature(SECRET, body), mailbox="provider")

    assert response.status_code == 200
    case = Case.objects.get(title="Lift stuck")
    assert response.json()["case"] == case.reference
    assert response.json()["status"] == InboundMessage.Status.PROCESSED
    assert InboundMessage.objects.get().mailbox == "provider"


def test_a_signed_reply_lands_in_its_case_once(client, secret, case, context):
    body = plain("signed-reply", "Sent twice by the provider.", In_Reply_To=context.notice())

    for _ in range(2):
        response = post(client, body, signature(SECRET, body))
        assert response.status_code == 200
        assert response.json()["case"] == case.reference

    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == [
        "Sent twice by the provider."
    ]


def test_a_strangers_mail_is_stored_and_reported_as_quarantined(client, secret, acme):
    body = plain("signed-stranger", "Hi", sender="pat@elsewhere.example", subject="Hi")

    response = post(client, body, signature(SECRET, body))

    assert response.status_code == 200
    assert response.json()["case"] is None
    assert response.json()["status"] == InboundMessage.Status.QUARANTINED
    assert "Unknown sender" in response.json()["reason"]


def test_only_post_is_allowed(client, secret):
    assert client.get("/inbound/email/").status_code == 405


def test_a_message_with_a_large_attachment_is_accepted(client, secret, acme, customer):
    """Mail providers post whole messages: a 5 MB scan is an ordinary email."""
    message = composed("large", subject="Scanned contract")
    message.set_content("The signed contract is attached.\n")
    message.add_attachment(
        b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "application", "pdf", filename="contract.pdf"
    )
    body = message.as_bytes()

    response = post(client, body, signature(SECRET, body))

    assert response.status_code == 200
    case = Case.objects.get(title="Scanned contract")
    assert response.json()["case"] == case.reference
    assert case.attachments.get().filename == "contract.pdf"


def test_a_message_over_the_size_limit_is_refused_unread(client, secret, settings, db):
    settings.INBOUND_MAX_BYTES = 1024
    body = b"x" * (2 * 1024 * 1024 + 10)

    response = post(client, body, signature(SECRET, body))

    assert response.status_code == 413
    assert not InboundMessage.objects.exists()
