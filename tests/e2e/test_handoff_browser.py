"""A handoff in a real browser: the owner asks Hardware, Hardware does its part from its
queue, and the result comes back to the owner's timeline while the owner keeps the case."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Handoff, HandoffStatus, Status
from notifications.models import Notice
from tests.helpers import LAPTOP, browser_sign_in, open_case

pytestmark = pytest.mark.browser


@pytest.fixture
def laptop(agent, customer):
    serial = services.IdentifierInput("Serial number", "5CD1234XYZ")
    return open_case(agent, customer, **LAPTOP, identifiers=[serial], owner=agent)


def test_owner_hands_off_to_hardware_and_sees_the_result(
    page, browser, live_server, agent, customer, hw_agent, laptop
):
    case_path = f"/desk/cases/{laptop.reference}/"
    notices_before = list(Notice.objects.values_list("pk", flat=True))
    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}{case_path}")

    handoffs = page.locator("#handoffs")
    handoffs.locator("summary", has_text="Request a handoff").click()
    handoffs.get_by_label("Department").select_option(label="Hardware")
    handoffs.get_by_label("What is needed (internal)").fill("PSU reads 0V on pin 3; replace it")
    handoffs.get_by_label("Customer-safe summary (optional)").fill("replacing the power supply")
    handoffs.get_by_role("button", name="Request handoff").click()

    expect(handoffs).to_contain_text("With Hardware: replacing the power supply")
    expect(handoffs).to_contain_text("Requested")

    # Hardware, in a browser of its own.
    context = browser.new_context()
    try:
        hw_page = context.new_page()
        hw_page.set_default_timeout(10_000)
        browser_sign_in(hw_page, live_server, hw_agent.email)
        hw_page.get_by_role("link", name="Department handoffs").click()

        queue = hw_page.locator("#queue")
        expect(queue).to_contain_text(laptop.reference)
        expect(queue).to_contain_text("Serial number: 5CD1234XYZ")
        expect(queue).to_contain_text("Unassigned")
        hw_page.get_by_role("button", name=f"Accept handoff for {laptop.reference}").click()
        expect(queue).to_contain_text("Harper Hale")
        expect(queue).to_contain_text("Accepted")

        hw_page.get_by_role("link", name="Open case").click()
        expect(hw_page).to_have_url(re.compile(rf"{case_path}#handoff-\d+$"))
        expect(hw_page.get_by_test_id("identifiers")).to_contain_text("5CD1234XYZ")
        work = hw_page.locator("#handoffs li", has_text="With Hardware")
        work.locator("summary", has_text="Done").click()
        work.get_by_label("What was done").fill("Fitted a new 65 W power supply; it charges.")
        work.get_by_label("Customer-safe summary").fill("power supply replaced")
        work.get_by_role("button", name="Mark done").click()

        expect(hw_page.locator("#handoffs")).to_contain_text("no department is working on it")
        # Hardware may not steer the owner's case.
        expect(hw_page.get_by_text("Propose resolution")).to_have_count(0)
    finally:
        context.close()

    page.reload()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Hardware finished its part")
    expect(timeline).to_contain_text("Fitted a new 65 W power supply; it charges.")
    expect(page.locator("#handoffs")).to_contain_text("With the owner, Dana Lee")
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    expect(page.locator("#case-header .badge.status-open")).to_have_text("Open")

    handoff = Handoff.objects.get(case=laptop)
    assert handoff.status == HandoffStatus.DONE
    assert handoff.customer_summary == "power supply replaced"
    new_notices = Notice.objects.exclude(pk__in=notices_before)
    assert new_notices.get(recipient=agent).kind == "handoff_done"
    assert not new_notices.filter(recipient=customer)
    laptop.refresh_from_db()
    assert laptop.status == Status.OPEN
