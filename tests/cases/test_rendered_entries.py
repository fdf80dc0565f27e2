"""Timeline entries are drawn once per audience and then reused: an entry never changes
once written, so the case page and the portal draw only the entries they have not drawn
before, and each audience keeps its own drawing."""

import re

import pytest

from cases import services
from tests.helpers import desk_url, portal_url

pytestmark = pytest.mark.django_db


def drawn(response, name: str) -> int:
    return sum(1 for template in response.templates if template.name == name)


def timeline(html: str) -> str:
    return re.search(r'<ol class="timeline[^>]*>(.*?)</ol>', html, re.S).group(1)


def test_the_case_page_draws_each_entry_once(agent_client, owned_case, agent, customer):
    services.add_internal_note(case=owned_case, acting_user=agent, body="Checked the PSU.")
    first = agent_client.get(desk_url(owned_case))
    assert drawn(first, "desk/_entry.html") >= 3

    again = agent_client.get(desk_url(owned_case))

    assert drawn(again, "desk/_entry.html") == 0
    assert timeline(again.text) == timeline(first.text)

    services.add_customer_message(case=owned_case, acting_user=customer, body="Thanks!")
    after = agent_client.get(desk_url(owned_case))
    assert drawn(after, "desk/_entry.html") == 1  # only the new one
    assert "Thanks!" in timeline(after.text) and "Checked the PSU." in timeline(after.text)


def test_each_audience_draws_its_own(agent_client, customer_client, owned_case, agent):
    services.reply_to_customer(case=owned_case, acting_user=agent, body="A courier comes at ten.")
    services.add_internal_note(case=owned_case, acting_user=agent, body="Courier booked: #77.")
    agent_client.get(desk_url(owned_case))

    portal = customer_client.get(portal_url(owned_case))

    assert drawn(portal, "portal/_entry.html") >= 1  # not the desk's drawing
    assert "A courier comes at ten." in portal.text
    assert "Courier booked" not in portal.text
    assert 'class="badge text-bg-warning"' not in timeline(portal.text)
