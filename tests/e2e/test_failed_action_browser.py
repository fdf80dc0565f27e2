"""Several steps on the desk in a real browser, as an agent meets them on day one: an
action refused with the text kept for the retry, and a reply followed by a note that
stays internal."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import EntryKind, Status, TimelineEntry, Visibility
from tests.factories import DepartmentFactory
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser

FIX = "We replaced the power supply; please try it this evening."
DELAY = "The replacement board is held at customs."


@pytest.fixture
def owned(agent, customer):
    case = services.report_case(
        acting_user=customer, title="Laptop will not power on", description="Dead."
    )
    return services.take_ownership(case=case, acting_user=agent, expected_version=case.version)


def open_case_page(page, live_server, agent, case):
    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}/desk/cases/{case.reference}/")


def test_a_refused_proposal_keeps_the_text_for_the_retry(page, live_server, agent, owned):
    services.request_handoff(
        case=owned,
        acting_user=agent,
        department=DepartmentFactory(name="Hardware"),
        needed="Test the PSU.",
    )
    open_case_page(page, live_server, agent, owned)

    page.get_by_text("Propose resolution").click()
    page.get_by_label("What was done").fill(FIX)
    page.get_by_role("button", name="Ask the customer to confirm").click()

    expect(page.get_by_test_id("action-error")).to_contain_text("handoff")
    expect(page.get_by_label("What was done")).to_have_value(FIX)  # open, as typed

    page.get_by_label("Cancel the open handoffs and propose anyway").check()
    page.get_by_role("button", name="Ask the customer to confirm").click()

    expect(page.get_by_test_id("action-error")).to_have_count(0)
    owned.refresh_from_db()
    assert owned.status == Status.PENDING_CONFIRMATION
    assert TimelineEntry.objects.get(case=owned, kind=EntryKind.STATUS_CHANGE, body=FIX)


def test_a_delay_notice_with_a_past_estimate_keeps_the_text(page, live_server, agent, owned):
    open_case_page(page, live_server, agent, owned)
    past = timezone.localtime() - timedelta(days=1)
    future = timezone.localtime() + timedelta(days=3)

    page.get_by_text("Tell the customer about a delay").click()
    page.get_by_label("What is happening").fill(DELAY)
    page.get_by_label("New estimate").fill(past.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send delay notice").click()

    expect(page.get_by_test_id("action-error")).to_be_visible()
    expect(page.get_by_label("What is happening")).to_have_value(DELAY)

    page.get_by_label("New estimate").fill(future.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send delay notice").click()

    expect(page.get_by_test_id("timeline")).to_contain_text(DELAY)
    assert TimelineEntry.objects.filter(case=owned, kind=EntryKind.DELAY_NOTICE).count() == 1


def test_after_a_reply_the_next_words_are_an_internal_note(page, live_server, agent, owned):
    open_case_page(page, live_server, agent, owned)
    composer = page.locator("#composer")

    composer.get_by_label("Reply to customer").check()
    expect(composer.get_by_role("button", name="Send to customer")).to_be_visible()
    composer.get_by_label("Message", exact=True).fill("A new power supply ships today.")
    composer.get_by_role("button", name="Send to customer").click()
    expect(page.locator("#composer")).to_contain_text("Sent to the customer.")

    composer = page.locator("#composer")
    expect(composer.get_by_label("Internal note")).to_be_checked()
    composer.get_by_label("Message", exact=True).fill("Customer sounded annoyed; be quick.")
    composer.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#composer")).to_contain_text("Internal note added.")

    note = TimelineEntry.objects.get(case=owned, body="Customer sounded annoyed; be quick.")
    assert note.visibility == Visibility.INTERNAL
    reply = TimelineEntry.objects.get(case=owned, body="A new power supply ships today.")
    assert reply.visibility == Visibility.PUBLIC


def test_a_transfer_picks_from_the_agents_the_panel_reads(
    page, live_server, agent, teammate, manager, owned
):
    open_case_page(page, live_server, agent, owned)

    page.get_by_text("More actions").click()
    page.locator("summary", has_text="Transfer").click()
    new_owner = page.get_by_label("New owner")
    expect(new_owner.locator("option", has_text="Morgan Reyes (Support)")).to_have_count(1)
    page.get_by_label("Find an agent").fill("Hardware")  # narrows the list to Hardware
    expect(new_owner.locator("option", has_text="Morgan Reyes")).to_have_count(0)
    new_owner.select_option(label="Sam Ortiz (Hardware)")
    page.get_by_label("Why", exact=True).fill("The fault is in the dock; Hardware knows it best.")
    page.get_by_role("button", name="Transfer ownership").click()

    expect(page.get_by_test_id("owner")).to_contain_text("Sam Ortiz")
    owned.refresh_from_db()
    assert owned.owner == teammate
