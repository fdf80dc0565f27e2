"""What people write is shown as text: no script from user content ever runs on the desk."""

import re

import pytest

from cases import services
from tests.helpers import desk_url

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('owned')</script> look <img src=x onerror=alert(1)> **done**"


def test_reply_with_script_renders_escaped_on_the_case_page(agent_client, owned_case, agent):
    agent_client.post(desk_url(owned_case, "entries/"), {"kind": "reply", "body": HOSTILE})

    html = agent_client.get(desk_url(owned_case)).text

    assert "<script>alert" not in html
    assert not re.search(r"<img[^>]*onerror", html)
    # Shown as the text the agent typed.
    assert "&lt;script&gt;alert('owned')&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # Markdown still works around the escaped HTML.
    assert "<strong>done</strong>" in html


def test_hostile_title_identifier_and_description_render_escaped(agent_client, agent, customer):
    case = services.open_case(
        acting_user=agent,
        customer=customer,
        title="<script>alert('title')</script>",
        description="<img src=x onerror=alert(2)>",
        identifiers=[services.IdentifierInput("Serial", "<script>alert(3)</script>")],
    )

    pages = [
        agent_client.get(desk_url(case)).text,
        agent_client.get("/desk/").text,
        agent_client.get("/desk/search/", {"q": "alert"}).text,
    ]

    for html in pages:
        assert "<script>alert" not in html
        assert not re.search(r"<img[^>]*onerror", html)
        assert "&lt;script&gt;alert(" in html


def test_links_in_user_content_cannot_run_javascript(agent_client, owned_case, agent):
    services.add_internal_note(
        case=owned_case, acting_user=agent, body="[click](javascript:alert(1)) [ok](https://x.test)"
    )

    html = agent_client.get(desk_url(owned_case)).text

    assert 'href="javascript:' not in html
    assert 'href="https://x.test"' in html
