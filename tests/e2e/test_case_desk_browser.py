"""An agent's day on the desk in a real browser: take a case from triage, then add a note
and a reply that appear on the timeline without the page reloading, even when changes
arrive while the timeline is still refreshing."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from cases import services
from cases.models import EntryKind, TimelineEntry, Visibility
from tests.helpers import LAPTOP, browser_sign_in, open_case

pytestmark = pytest.mark.browser

NOTE = "Checked the power supply: 11.2 V instead of 19 V."
REPLY = "A new power supply ships today; you will have it tomorrow."


def test_agent_takes_a_case_and_writes_on_its_timeline_without_a_reload(
    page, live_server, agent, customer
):
    case = open_case(agent, customer, **LAPTOP)
    browser_sign_in(page, live_server, agent.email)
    expect(page).to_have_url(f"{live_server.url}/desk/")

    # Take it from the triage queue; the queues refresh in place.
    page.evaluate("window.__marker = 1")
    triage = page.get_by_test_id("triage")
    expect(triage).to_contain_text("Laptop will not power on")
    triage.get_by_role("button", name=f"Take ownership of {case.reference}").click()
    mine = page.get_by_test_id("my-cases")
    expect(mine).to_contain_text(case.reference)
    expect(page.get_by_test_id("triage-count")).to_have_text("0")
    assert page.evaluate("window.__marker") == 1

    mine.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(f"{live_server.url}/desk/cases/{case.reference}/")
    expect(page.get_by_test_id("owner")).to_have_text("Dana Lee, Support")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Taken by Dana Lee")

    page.evaluate("window.__marker = 2")
    composer = page.locator("#composer")

    composer.get_by_label("Internal note").check()
    composer.get_by_label("Message", exact=True).fill(NOTE)
    composer.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#composer")).to_contain_text("Internal note added.")
    note = timeline.locator(".timeline-entry.kind-internal_note")
    expect(note).to_contain_text(NOTE)
    expect(note).to_contain_text("Internal")

    composer = page.locator("#composer")
    composer.get_by_label("Reply to customer").check()
    composer.get_by_label("Message", exact=True).fill(REPLY)
    composer.get_by_role("button", name="Send to customer").click()
    reply = timeline.locator(".timeline-entry.kind-agent_reply")
    expect(reply).to_contain_text(REPLY)
    expect(reply).to_contain_text("Public")

    # Both arrived on the page that was loaded once, each exactly once, in order.
    assert page.evaluate("window.__marker") == 2
    expect(timeline.locator(".timeline-entry").last).to_contain_text(REPLY)
    expect(timeline.get_by_text(NOTE)).to_have_count(1)
    expect(timeline.get_by_text(REPLY)).to_have_count(1)
    stored = TimelineEntry.objects.filter(
        case=case, kind__in=[EntryKind.INTERNAL_NOTE, EntryKind.AGENT_REPLY]
    ).order_by("pk")
    assert [(e.body, e.visibility) for e in stored] == [
        (NOTE, Visibility.INTERNAL),
        (REPLY, Visibility.PUBLIC),
    ]


def test_change_made_while_the_timeline_refreshes_is_not_lost(page, live_server, agent, customer):
    case = open_case(agent, customer, "Dock flickers", description="Since May.", owner=agent)
    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}/desk/cases/{case.reference}/")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Taken by Dana Lee")

    held = []

    def hold_the_first_refresh(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/desk/cases/*/timeline/?after=*", hold_the_first_refresh)

    # A first change starts a refresh, which the network holds back...
    services.add_internal_note(case=case, acting_user=agent, body="Cable swapped.")
    page.evaluate("htmx.trigger(document.body, 'timelineChanged')")
    for _ in range(250):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the timeline never refreshed"
    answer = held[0].fetch()
    # ...and a second change lands while that refresh is still on its way.
    services.add_internal_note(case=case, acting_user=agent, body="Dock firmware updated.")
    page.evaluate("htmx.trigger(document.body, 'timelineChanged')")
    page.wait_for_timeout(200)
    with contextlib.suppress(PlaywrightError):  # the browser may have dropped it already
        held[0].fulfill(response=answer)

    # Well before the 10-second poll: both changes, each once.
    expect(timeline.get_by_text("Dock firmware updated.")).to_have_count(1, timeout=5_000)
    expect(timeline.get_by_text("Cable swapped.")).to_have_count(1)
