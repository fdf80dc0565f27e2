"""With Redis unreachable (a real client against a port nobody listens on), the cache
misses instead of failing: pages are still drawn, while rate-limited actions fail closed."""

import pytest
from django.core.cache import caches
from django.test import Client

from cases import services
from tests.helpers import desk_url, sign_in, signed_in
from tests.smtp import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield caches["default"]
    caches["default"].close()


def test_reads_miss_and_writes_are_skipped(redis_down):
    redis_down.set("k", 1)

    assert redis_down.get("k", "missed") == "missed"
    assert redis_down.get_many(["k"]) == {}
    assert redis_down.add("k", 1) is False
    assert redis_down.get_or_set("k", "computed") == "computed"
    with pytest.raises(ValueError):
        redis_down.incr("k")


def test_pages_are_drawn_and_sign_in_fails_closed(redis_down, policies, agent, customer):
    case = services.open_case(
        acting_user=agent, customer=customer, title="Printer on fire", description="Smoke"
    )

    page = signed_in(agent).get(desk_url(case))
    refused = sign_in(Client(), agent.email)

    assert page.status_code == 200 and "Printer on fire" in page.content.decode()
    assert refused.status_code == 429
