"""A saved reply in a few keystrokes: the owner types "/" and part of its title in the
composer, picks it with Enter, and sends it filled for the customer."""

import pytest
from playwright.sync_api import expect

from cases.models import EntryKind
from helpdesk.knowledge.models import SavedReply, SavedReplyUse
from tests.helpers import LAPTOP, browser_sign_in, entries, open_case

pytestmark = pytest.mark.browser


def test_the_owner_answers_with_a_saved_reply(page, live_server, agent, customer):
    laptop = open_case(agent, customer, **LAPTOP, owner=agent)
    SavedReply.objects.create(
        title="Power supply on its way", owner=agent,
        body="Hello {customer.first_name}, a new power supply for {case.reference} ships today.",
    )  # fmt: skip
    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}/desk/cases/{laptop.reference}/")

    then = page.locator("#composer").get_by_label("Then")
    expect(then).to_be_hidden()  # a note: no follow-up
    message = page.locator("#composer").get_by_label("Message", exact=True)
    message.click()
    message.press_sequentially("/power")
    expect(page.get_by_test_id("saved-picker")).to_contain_text("Power supply on its way")
    message.press("Enter")

    filled = f"Hello Alex, a new power supply for {laptop.reference} ships today."
    expect(message).to_have_value(filled)
    expect(then).to_be_visible()  # the saved reply made it a reply
    page.get_by_role("button", name="Send to customer").click()
    expect(page.locator("#composer")).to_contain_text("Sent to the customer.")
    assert entries(laptop, EntryKind.AGENT_REPLY)[-1].body == filled
    assert SavedReplyUse.objects.filter(case=laptop).count() == 1
