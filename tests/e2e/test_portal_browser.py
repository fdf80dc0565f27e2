"""A customer's whole journey in a real browser: report a problem with a screenshot, see
who owns it, write to the owner, answer "still broken" to a first fix, confirm the second
and rate the help."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Attachment, Case, EntryKind, Satisfaction, Status, TimelineEntry
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser

SCREENSHOT = {"name": "error.png", "mimeType": "image/png", "buffer": b"\x89PNG screenshot"}


def test_customer_reports_follows_and_confirms_a_case(page, live_server, customer, agent):
    browser_sign_in(page, live_server, customer.email)
    expect(page).to_have_url(f"{live_server.url}/portal/")

    # Report a problem, with a screenshot.
    page.get_by_role("link", name="Report a problem").first.click()
    page.get_by_label("What is the problem, in a few words?").fill("VPN drops every hour")
    page.get_by_label("Tell us more").fill("Since Monday the VPN disconnects on the hour.")
    page.get_by_label("Attachments (screenshots, documents)").set_input_files(SCREENSHOT)
    page.get_by_role("button", name="Send to support").click()

    expect(page).to_have_url(re.compile(r"/portal/cases/C-\d+/$"))
    case = Case.objects.get(title="VPN drops every hour")
    expect(page.get_by_text(f"Thank you. Your case {case.reference} is with us.")).to_be_visible()
    status = page.get_by_test_id("plain-status")
    owner = page.get_by_test_id("owner-sentence")
    timeline = page.get_by_test_id("portal-timeline")
    expect(status).to_have_text("Received: we're finding the right person")
    expect(owner).to_have_text("We are finding the right person to own your case.")
    expect(timeline).to_contain_text("📎 error.png")
    assert Attachment.objects.get(case=case).filename == "error.png"

    # Dana takes it on the desk; Alex sees the owner when the page is opened again.
    services.take_ownership(case=case, acting_user=agent, expected_version=None)
    page.reload()
    expect(owner).to_have_text("Your case is owned by Dana Lee, Support.")
    expect(status).to_have_text("We're working on it")
    expect(timeline).to_contain_text("Your case is now owned by Dana Lee, Support.")

    # Alex writes; the panel answers in place and the timeline shows the message.
    page.evaluate("window.__marker = 1")
    page.get_by_label("Your message").fill("It happens on Wi-Fi and on cable.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("portal-notice")).to_have_text("Sent. Your case's owner has it.")
    expect(timeline).to_contain_text("It happens on Wi-Fi and on cable.")
    assert page.evaluate("window.__marker") == 1  # no reload

    # A first fix is proposed; it did not work.
    services.propose_resolution(
        case=case, acting_user=agent, body="We renewed your VPN profile.", expected_version=None
    )
    page.reload()
    expect(status).to_have_text("We think it's fixed — please confirm")
    expect(timeline).to_contain_text("We renewed your VPN profile.")
    page.locator("summary", has_text="No, still broken").click()
    page.get_by_label("What is still wrong?").fill("It dropped again at 11:00.")
    page.get_by_role("button", name="Send: it's still broken").click()
    expect(page.get_by_test_id("portal-notice")).to_have_text(
        "Thank you. Your case is open again with its owner."
    )
    expect(status).to_have_text("We're working on it")
    expect(owner).to_have_text("Your case is owned by Dana Lee, Support.")
    expect(timeline).to_contain_text("It dropped again at 11:00.")
    assert TimelineEntry.objects.get(case=case, kind=EntryKind.REOPEN).body == (
        "It dropped again at 11:00."
    )

    # The second fix works.
    services.propose_resolution(
        case=case, acting_user=agent, body="We moved you to the new gateway.", expected_version=None
    )
    page.reload()
    expect(timeline).to_contain_text("We moved you to the new gateway.")
    page.get_by_role("button", name="Yes, it's fixed").click()
    expect(page.get_by_test_id("portal-notice")).to_have_text("Thank you! Your case is closed.")
    expect(status).to_have_text("Closed")
    expect(timeline).to_contain_text("You confirmed the fix.")

    # And Alex rates the help, once.
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Anything to add? (optional)").fill("Patient and clear.")
    page.get_by_role("button", name="Send rating").click()
    expect(page.get_by_test_id("rated")).to_have_text("You rated this case 4/5. Thank you.")
    expect(page.get_by_role("button", name="Send rating")).to_have_count(0)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.owner == agent
    satisfaction = Satisfaction.objects.get(case=case)
    assert (satisfaction.rating, satisfaction.comment) == (4, "Patient and clear.")

    # My cases lists it, closed, with its owner.
    page.get_by_role("link", name="My cases").first.click()
    row = page.get_by_test_id("portal-cases").locator("li", has_text=case.reference)
    expect(row).to_contain_text("Closed")
    expect(row).to_contain_text("Owned by Dana Lee, Support")
