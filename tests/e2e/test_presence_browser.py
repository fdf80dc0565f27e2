"""Two agents on one case in real browsers: the second reads that the first is viewing,
then, once the first types in the composer, that they are writing a reply."""

import pytest
from playwright.sync_api import expect

from tests.helpers import LAPTOP, browser_sign_in, open_case

pytestmark = pytest.mark.browser

# The slot polls every 10 s: each page's clock is moved on by one poll (Playwright's clock)
# rather than waited for; the writer's first word beats at once.
ONE_POLL_MS = 10_000


def is_presence(response) -> bool:
    return response.url.endswith("/presence/") and response.ok


def test_second_agent_sees_the_first_writing_a_reply(
    page, browser, live_server, agent, customer, teammate
):
    case = open_case(agent, customer, **LAPTOP, owner=agent)
    case_url = f"{live_server.url}/desk/cases/{case.reference}/"
    browser_sign_in(page, live_server, agent.email)
    page.clock.install()
    page.goto(case_url)

    context = browser.new_context()
    try:
        sam = context.new_page()
        sam.set_default_timeout(10_000)
        browser_sign_in(sam, live_server, teammate.email)
        sam.clock.install()
        sam.goto(case_url)
        slot = sam.get_by_test_id("presence")
        expect(slot).to_have_text("Dana Lee is viewing")
        # Dana's page, polling too, reads Sam.
        page.clock.run_for(ONE_POLL_MS)
        expect(page.get_by_test_id("presence")).to_have_text("Sam Ortiz is viewing")

        composer = page.locator("#composer")
        composer.get_by_label("Reply to customer").check()
        with page.expect_response(is_presence):  # her first word beats at once
            composer.get_by_label("Message", exact=True).fill("A new power supply ships today.")

        sam.clock.run_for(ONE_POLL_MS)
        expect(slot).to_have_text("Dana Lee is writing a reply")

        # Sent: the box is empty again, and at her next beat Dana is only viewing.
        composer.get_by_role("button", name="Send to customer").click()
        expect(page.locator("#composer")).to_contain_text("Sent to the customer.")
        with page.expect_response(is_presence):
            page.clock.run_for(ONE_POLL_MS)
        sam.clock.run_for(ONE_POLL_MS)
        expect(slot).to_have_text("Dana Lee is viewing")
    finally:
        context.close()
