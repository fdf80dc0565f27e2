"""Behind a proxy, rate limits and the audit trail see the client, not the proxy."""

import pytest

from helpdesk.accounts.models import AuditEvent
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def _sign_in(client, agent, forwarded):
    return sign_in(client, agent.email, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, agent, settings):
    _sign_in(client, agent, "203.0.113.7")

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGN_IN)
    assert event.ip == "10.0.0.2"  # a client cannot pick its own address


def test_behind_one_proxy_the_client_address_is_recorded(client, agent, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # read when the test client's handler starts
    _sign_in(client, agent, "198.51.100.9, 203.0.113.7")

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGN_IN)
    # The proxy appended the address it saw; anything before it the client could forge.
    assert event.ip == "203.0.113.7"
