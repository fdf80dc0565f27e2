"""Live updates without a page reload: actions answer with the fragment they change and tell
the timeline to refresh; the poll brings only what is new."""

import re

import pytest

from cases import services
from cases.models import Priority, Status
from tests.helpers import HTMX, desk_url, fresh

pytestmark = pytest.mark.django_db


def test_action_answers_with_only_the_header_and_asks_the_timeline_to_refresh(
    agent_client, owned_case
):
    response = agent_client.post(
        desk_url(owned_case, "priority/"),
        {"version": owned_case.version, "priority": Priority.HIGH},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="case-header"')
    assert response.text.count('id="case-header"') == 1
    assert "High priority" in response.text
    # The second rank of actions comes along, the call's panel included.
    assert ">More actions</summary>" in response.text
    assert ">Log a call</summary>" in response.text
    assert 'id="timeline-entries"' not in response.text
    assert 'id="composer"' not in response.text
    assert "<html" not in response.text
    assert "timelineChanged" in response["HX-Trigger"]
    assert fresh(owned_case).priority == Priority.HIGH


def test_an_action_brings_the_facts_beside_the_conversation_along(agent_client, owned_case):
    response = agent_client.post(
        f"/desk/cases/{owned_case.reference}/identifiers/",
        {"name": "Asset tag", "value": "LT-0042"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="case-header"')
    facts = response.text[response.text.index('<section id="case-facts"') :]
    assert facts.startswith('<section id="case-facts" class="card mb-3"')
    assert 'hx-swap-oob="true"' in facts.split(">", 1)[0]
    assert "LT-0042" in facts


def test_the_page_draws_the_facts_once_in_place(agent_client, owned_case):
    page = agent_client.get(desk_url(owned_case)).text

    assert page.count('id="case-facts"') == 1
    assert "hx-swap-oob" not in page.split('id="case-facts"', 1)[1].split(">", 1)[0]


def test_action_without_htmx_redirects_back_to_the_case_page(agent_client, owned_case):
    response = agent_client.post(
        desk_url(owned_case, "priority/"), {"version": owned_case.version, "priority": 30}
    )

    assert response.status_code == 302
    assert response["Location"] == desk_url(owned_case)


def test_composer_answers_with_a_fresh_composer_and_refreshes_the_timeline(
    agent_client, owned_case
):
    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": "The courier comes at ten."},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="composer"')
    assert "Sent to the customer." in response.text
    # Back to an internal note for the next words, and the message box is empty.
    assert re.search(r'value="note"[^>]*checked', response.text)
    assert not re.search(r'value="reply"[^>]*checked', response.text)
    assert ">Add internal note</button>" in response.text
    assert "The courier comes at ten." not in response.text
    assert "timelineChanged" in response["HX-Trigger"]


def test_timeline_poll_returns_only_newer_entries_and_moves_the_poller(
    agent_client, owned_case, agent
):
    page = agent_client.get(desk_url(owned_case))
    last_seen = int(re.search(r"timeline/\?after=(\d+)", page.text).group(1))
    old_ids = [int(i) for i in re.findall(r'id="entry-(\d+)"', page.text)]
    assert old_ids and last_seen == max(old_ids)
    note = services.add_internal_note(case=owned_case, acting_user=agent, body="Fan replaced.")
    reply = services.reply_to_customer(case=owned_case, acting_user=agent, body="All set.")

    response = agent_client.get(desk_url(owned_case, f"timeline/?after={last_seen}"), headers=HTMX)

    assert response.status_code == 200
    shown = [int(i) for i in re.findall(r'id="entry-(\d+)"', response.text)]
    assert shown == [note.pk, reply.pk]
    assert "Fan replaced." in response.text and "All set." in response.text
    poller = re.search(r'<div id="timeline-poll"[^>]*>', response.text).group(0)
    assert 'hx-swap-oob="true"' in poller
    assert f"?after={reply.pk}" in poller

    # Nothing new: no entries, and the poller keeps its place.
    quiet = agent_client.get(desk_url(owned_case, f"timeline/?after={reply.pk}"), headers=HTMX)
    assert re.findall(r'id="entry-', quiet.text) == []
    assert f"?after={reply.pk}" in quiet.text


def test_show_earlier_entries_prepends_the_older_page(agent_client, owned_case, agent):
    notes = [
        services.add_internal_note(case=owned_case, acting_user=agent, body=f"Check {n}")
        for n in range(3)
    ]

    response = agent_client.get(
        desk_url(owned_case, f"timeline/?before={notes[0].pk}"), headers=HTMX
    )

    assert 'hx-swap-oob="afterbegin:#timeline-entries"' in response.text
    shown = [int(i) for i in re.findall(r'id="entry-(\d+)"', response.text)]
    assert shown and all(pk < notes[0].pk for pk in shown)
    assert '<div id="earlier-button"></div>' in response.text


def test_take_from_the_dashboard_answers_with_the_refreshed_queues(agent_client, new_case):
    response = agent_client.post(
        desk_url(new_case, "take/"),
        {"version": new_case.version, "from": "dashboard"},
        headers=HTMX,
    )

    assert response.text.lstrip().startswith('<div id="queues"')
    assert 'data-testid="my-cases"' in response.text
    assert fresh(new_case).status == Status.OPEN


def test_taking_a_case_someone_just_took_says_who_has_it(client, new_case, agent, teammate):
    stale_version = new_case.version
    services.take_ownership(case=new_case, acting_user=agent, expected_version=stale_version)
    client.force_login(teammate)

    response = client.post(
        desk_url(new_case, "take/"), {"version": stale_version, "from": "dashboard"}, headers=HTMX
    )

    assert response.status_code == 409
    assert response.text.lstrip().startswith('<div id="queues"')
    assert f"{new_case.reference} is already owned by Dana Lee" in response.text
    assert fresh(new_case).owner == agent


def test_dashboard_poll_returns_only_the_queues(agent_client, new_case):
    response = agent_client.get("/desk/", headers=HTMX)

    assert response.text.lstrip().startswith('<div id="queues"')
    assert "<html" not in response.text
    assert new_case.reference in response.text


def checked_kind(page: str) -> str:
    return re.search(r'<input[^>]*name="kind"[^>]*value="(\w+)"[^>]*checked', page).group(1)


def test_the_composer_opens_as_a_reply_when_the_customer_awaits_one(
    agent_client, owned_case, customer, agent
):
    # The owner spoke last (taking the case): the next words default to in-house.
    assert checked_kind(agent_client.get(desk_url(owned_case)).text) == "note"

    services.add_customer_message(case=owned_case, acting_user=customer, body="Any news?")
    page = agent_client.get(desk_url(owned_case)).text
    assert checked_kind(page) == "reply"
    assert ">Send to customer</button>" in page

    services.add_internal_note(case=owned_case, acting_user=agent, body="Asked Hardware.")
    assert checked_kind(agent_client.get(desk_url(owned_case)).text) == "reply"  # still owed

    services.reply_to_customer(case=fresh(owned_case), acting_user=agent, body="Tomorrow.")
    assert checked_kind(agent_client.get(desk_url(owned_case)).text) == "note"


def test_an_agent_who_may_not_answer_is_offered_the_note(client, owned_case, customer, teammate):
    services.add_customer_message(case=owned_case, acting_user=customer, body="Any news?")
    client.force_login(teammate)

    page = client.get(desk_url(owned_case)).text

    assert checked_kind(page) == "note"
    assert 'value="reply"' not in page


def test_the_transfer_panel_reads_the_agents_when_it_opens(agent_client, owned_case, teammate):
    page = agent_client.get(desk_url(owned_case)).text
    panel = page[
        page.rindex('<details class="action-panel"', 0, page.index(">Transfer</summary>")) :
    ]
    panel = panel[: panel.index("</details>")]

    assert 'hx-get="/desk/agents/" hx-trigger="toggle once"' in panel
    assert "Sam Ortiz" not in panel  # not read until the panel opens

    options = agent_client.get("/desk/agents/", headers=HTMX).text
    assert '<option value="">Choose an agent</option>' in options
    assert f'<option value="{teammate.pk}">Sam Ortiz (Hardware)</option>' in options


def test_a_refused_transfer_reopens_the_panel_with_the_agent_chosen(
    agent_client, owned_case, teammate
):
    response = agent_client.post(
        desk_url(owned_case, "transfer/"),
        {"version": owned_case.version, "to": teammate.pk, "reason": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Say why: the new owner reads it first." in response.text
    assert f'<option value="{teammate.pk}" selected>Sam Ortiz (Hardware)</option>' in response.text
    assert fresh(owned_case).owner_id == owned_case.owner_id
