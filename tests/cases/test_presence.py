"""Two agents on one case see each other before their answers cross: "Dana Lee is viewing",
"Dana Lee is writing a reply"; and a reply written while someone else wrote to or from the
customer is held back until its author has read what came."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from cases import presence as presence_module
from cases import services
from cases.models import EntryKind
from tests.factories import AgentFactory
from tests.helpers import HTMX, at, desk_url, entries, page_text, signed_in
from tests.sla.seed import T0

pytestmark = pytest.mark.django_db

# The session, the signed-in user, the case and its identifiers (the case page's access
# helper); who is present comes from the cache, not the database.
PRESENCE_QUERIES = 4

REPLY = "The courier picks the laptop up tomorrow at ten."


def presence(client: Client, case, **data) -> str:
    """What the presence slot shows after one heartbeat of `client`'s agent."""
    response = client.post(desk_url(case, "presence/"), data, headers=HTMX)
    assert response.status_code == 200, response.status_code
    return page_text(response.text)


def seen_entry(response) -> int:
    """The newest entry the page showed, as its composer carries it."""
    return int(re.search(r'name="seen_entry" value="(\d+)"', response.text)[1])


@pytest.fixture
def teammate_client(teammate):
    return signed_in(teammate)


# --- who is here -------------------------------------------------------------------------


def test_it_shows_the_other_agent_viewing(agent_client, teammate_client, owned_case):
    agent_client.get(desk_url(owned_case))

    assert presence(teammate_client, owned_case) == "Dana Lee is viewing"


def test_it_shows_who_is_there_when_the_page_is_drawn(agent_client, teammate_client, owned_case):
    presence(agent_client, owned_case)

    response = teammate_client.get(desk_url(owned_case))

    slot = re.search(r'<div id="presence".*?</div>', response.text, re.S)[0]
    assert page_text(slot) == "Dana Lee is viewing"
    assert 'aria-live="polite"' in slot
    assert 'hx-trigger="load, every 10s' in slot


def test_an_agent_alone_on_the_case_reads_nothing(agent_client, teammate_client, owned_case):
    teammate_client.get(desk_url(owned_case))

    assert presence(teammate_client, owned_case) == ""


def test_it_shows_the_other_agent_writing_a_reply(agent_client, teammate_client, owned_case):
    agent_client.get(desk_url(owned_case))
    presence(agent_client, owned_case, writing="1")

    assert presence(teammate_client, owned_case) == "Dana Lee is writing a reply"

    # The box emptied (sent, or cleared): viewing again at the next heartbeat.
    presence(agent_client, owned_case)
    assert presence(teammate_client, owned_case) == "Dana Lee is viewing"


def test_it_lists_every_other_agent_by_name(agent_client, teammate_client, manager, owned_case):
    presence(agent_client, owned_case, writing="1")
    presence(signed_in(manager), owned_case)

    assert presence(teammate_client, owned_case) == (
        "Dana Lee is writing a reply Morgan Reyes is viewing"
    )


def test_a_mark_lasts_a_minute_after_the_last_heartbeat(
    clock, agent_client, teammate_client, owned_case
):
    presence(agent_client, owned_case, writing="1")

    at(clock, T0 + timedelta(seconds=59))
    assert presence(teammate_client, owned_case) == "Dana Lee is writing a reply"

    at(clock, T0 + timedelta(seconds=61))
    assert presence(teammate_client, owned_case) == ""


def test_presence_is_per_case(agent_client, teammate_client, owned_case, other_case):
    agent_client.get(desk_url(other_case))

    assert presence(teammate_client, owned_case) == ""


# --- who may be here -----------------------------------------------------------------------


def test_customer_never_appears_and_cannot_reach_the_slot(
    agent_client, customer, customer_client, outsider_client, owned_case
):
    customer_client.get(f"/portal/cases/{owned_case.reference}/")
    presence_module.seen(owned_case.pk, customer, writing=True)
    for client in (customer_client, outsider_client):
        assert client.post(desk_url(owned_case, "presence/"), headers=HTMX).status_code == 403
        assert client.get(desk_url(owned_case, "presence/"), headers=HTMX).status_code == 403

    assert presence(agent_client, owned_case) == ""


def test_unknown_case_is_not_found(agent_client):
    response = agent_client.post("/desk/cases/C-999999/presence/", headers=HTMX)

    assert response.status_code == 404


def test_writing_heartbeat_must_be_posted(agent_client, teammate_client, owned_case):
    response = agent_client.get(desk_url(owned_case, "presence/?writing=1"), headers=HTMX)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert agent_client.put(desk_url(owned_case, "presence/")).status_code == 405
    assert presence(teammate_client, owned_case) == ""


def test_writing_heartbeat_needs_the_csrf_token(agent, teammate_client, owned_case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)

    response = browser.post(desk_url(owned_case, "presence/"), {"writing": "1"}, headers=HTMX)

    assert response.status_code == 403
    assert presence(teammate_client, owned_case) == ""


def test_reading_presence_marks_the_agent_viewing(agent_client, teammate_client, owned_case):
    response = agent_client.get(desk_url(owned_case, "presence/"), headers=HTMX)

    assert response.status_code == 200
    assert presence(teammate_client, owned_case) == "Dana Lee is viewing"


@pytest.mark.parametrize("agents_present", [1, 10])
def test_presence_query_count_is_flat(
    agent_client, owned_case, hardware, agents_present, django_assert_num_queries
):
    for agent in AgentFactory.create_batch(agents_present, departments=[hardware]):
        presence(signed_in(agent), owned_case, writing="1")

    with django_assert_num_queries(PRESENCE_QUERIES):
        text = presence(agent_client, owned_case)

    assert text.count("is writing a reply") == agents_present


# --- a reply that would cross another ------------------------------------------------------


def test_reply_waits_when_another_agent_replied_meanwhile(clock, agent_client, manager, owned_case):
    page = agent_client.get(desk_url(owned_case))
    at(clock, T0.replace(hour=10, minute=42))
    theirs = services.reply_to_customer(
        case=owned_case, acting_user=manager, body="A new battery ships today."
    )

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(page)},
        headers=HTMX,
    )

    assert response.status_code == 409
    text = page_text(response)
    assert "Morgan Reyes replied at 10:42 while you were writing. Send anyway?" in text
    assert "A new battery ships today." in text
    assert f">{REPLY}</textarea>" in response.text
    assert ">Send anyway</button>" in response.text
    assert seen_entry(response) == theirs.pk
    assert "timelineChanged" in response["HX-Trigger"]
    assert [e.body for e in entries(owned_case, EntryKind.AGENT_REPLY)] == [theirs.body]

    sent = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(response)},
        headers=HTMX,
    )

    assert sent.status_code == 200
    assert "Sent to the customer." in sent.text
    assert [e.body for e in entries(owned_case, EntryKind.AGENT_REPLY)] == [theirs.body, REPLY]
    # The next reply is checked against what came after this one.
    assert seen_entry(sent) == entries(owned_case, EntryKind.AGENT_REPLY)[-1].pk


def test_reply_waits_for_the_customers_message_without_javascript(
    clock, agent_client, customer, owned_case
):
    page = agent_client.get(desk_url(owned_case))
    at(clock, T0.replace(hour=10, minute=42))
    services.add_customer_message(
        case=owned_case, acting_user=customer, body="It works again, no need to come."
    )

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(page)},
    )

    assert response.status_code == 409
    text = page_text(response)
    assert "Alex Kim wrote at 10:42 while you were writing. Send anyway?" in text
    assert f">{REPLY}</textarea>" in response.text
    # The whole page again, its timeline with the customer's message on it.
    timeline = re.search(r'id="timeline-entries".*?</ol>', response.text, re.S)[0]
    assert "It works again, no need to come." in timeline
    assert entries(owned_case, EntryKind.AGENT_REPLY) == []

    sent = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(response)},
    )

    assert sent.status_code == 302
    assert [e.body for e in entries(owned_case, EntryKind.AGENT_REPLY)] == [REPLY]


def test_a_third_word_after_the_warning_warns_again(agent_client, manager, customer, owned_case):
    page = agent_client.get(desk_url(owned_case))
    services.reply_to_customer(case=owned_case, acting_user=manager, body="Battery ships today.")
    warned = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(page)},
        headers=HTMX,
    )
    services.add_customer_message(case=owned_case, acting_user=customer, body="Thanks!")

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(warned)},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "Alex Kim wrote at" in page_text(response)
    assert "Morgan Reyes" not in page_text(response)
    assert entries(owned_case, EntryKind.AGENT_REPLY)[-1].actor == manager


def test_reply_goes_when_nobody_wrote_to_the_customer_meanwhile(agent_client, teammate, owned_case):
    page = agent_client.get(desk_url(owned_case))
    # Internal words and the agent's own earlier reply are not a reply crossing theirs.
    services.add_internal_note(case=owned_case, acting_user=teammate, body="PSU is in stock.")
    services.reply_to_customer(case=owned_case, acting_user=owned_case.owner, body="On it.")

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": REPLY, "seen_entry": seen_entry(page)},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Sent to the customer." in response.text
    assert "while you were writing" not in response.text
    assert [e.body for e in entries(owned_case, EntryKind.AGENT_REPLY)] == ["On it.", REPLY]


def test_a_note_is_never_held_back(agent_client, manager, owned_case):
    page = agent_client.get(desk_url(owned_case))
    services.reply_to_customer(case=owned_case, acting_user=manager, body="Battery ships today.")

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {
            "kind": "note",
            "body": "Asked Parts for the tracking number.",
            "seen_entry": seen_entry(page),
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Internal note added." in response.text
    # Still checked from the page's entry: the manager's reply is not yet confirmed seen.
    assert seen_entry(response) == seen_entry(page)


def test_page_carries_the_newest_entry_it_shows(agent_client, teammate, owned_case):
    note = services.add_internal_note(case=owned_case, acting_user=teammate, body="In stock.")

    assert seen_entry(agent_client.get(desk_url(owned_case))) == note.pk
