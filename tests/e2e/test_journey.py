"""The whole journey, end to end, in a real browser against real services: the live server on
PostgreSQL, a Celery worker on the real broker and an SMTP server that keeps what it gets.

A customer reports a broken laptop in the portal; it waits in triage until an agent takes
it; the owner asks Hardware to replace the power supply and Hardware does. The clock runs
close to the first-response deadline and the SLA sweep tells the customer, in the portal
and by mail, before the deadline passes. The owner proposes a fix, the customer says it is
still broken, the owner fixes it and proposes again, the customer confirms and rates the
help, and the manager sees all of it in the reports. Each step leaves a screenshot under
test-artefacts/journey/.
"""

import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import (
    BusinessCalendar,
    BusinessHours,
    Case,
    EntryKind,
    Priority,
    SLAPolicy,
    Status,
    TimelineEntry,
)
from notifications.models import Notice
from notifications.sweep import run_sweep
from tests.helpers import backdate, browser_sign_in

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "journey"
TITLE = "Laptop does not power on"


# Every click a person makes in a tab, kept across its pages: the journey's cost in clicks.
COUNT_CLICKS = """
document.addEventListener("click", (event) => {
  if (event.isTrusted) sessionStorage.clicks = Number(sessionStorage.clicks || 0) + 1;
}, true);
"""
CLICKS = "() => Number(sessionStorage.clicks || 0)"
OWNER_CLICKS = 13


# --- the cast -----------------------------------------------------------------------------


@pytest.fixture
def sla_policy(transactional_db):
    """Round numbers on a 24x7 calendar: the first public reply within 4 hours; the owner
    is warned 2 hours before a deadline and the customer told 1 hour before."""
    always = BusinessCalendar.objects.create(name="24x7", time_zone="UTC")
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=always, weekday=day, start=clock_time(0), end=clock_time(0))
        for day in range(7)
    )
    return SLAPolicy.objects.create(
        name="Normal",
        priority=Priority.NORMAL,
        calendar=always,
        first_response=timedelta(hours=4),
        update_interval=timedelta(hours=24),
        resolution=timedelta(hours=12),
        warn_owner_lead=timedelta(hours=2),
        notify_customer_lead=timedelta(hours=1),
    )


class Screens:
    """A numbered, full-page screenshot for each step of the journey."""

    def __init__(self):
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTEFACTS.glob("*.png"):
            old.unlink()
        self.count = 0

    def shot(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=ARTEFACTS / f"{self.count:02d}-{name}.png", full_page=True)


def open_action(page, name: str) -> None:
    """Open a case action's panel: from the toolbar, its "More actions" menu or the facts."""
    summary = page.locator("#case-header summary, #case-facts summary", has_text=name)
    if not summary.is_visible():
        page.locator("#case-header summary", has_text="More actions").click()
    summary.click()


def reply(page, body: str) -> None:
    composer = page.locator("#composer")
    composer.get_by_label("Reply to customer").check()
    composer.get_by_label("Message", exact=True).fill(body)
    composer.get_by_role("button", name="Send to customer").click()


@pytest.fixture
def signed_in_page(browser, live_server):
    """Each person in a browser of their own, signed in; closed at the end."""
    contexts = []

    def signed_in(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(COUNT_CLICKS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, live_server, user.email)
        return page

    yield signed_in
    for context in contexts:
        context.close()


def test_the_whole_journey(
    page,
    signed_in_page,
    live_server,
    celery_worker,
    smtp_sink,
    sla_policy,
    agent,
    customer,
    manager,
    hw_agent,
):
    screens = Screens()

    # 1. The customer reports the problem in the portal.
    browser_sign_in(page, live_server, customer.email)
    portal = page
    portal.get_by_role("link", name="Report a problem").first.click()
    portal.get_by_label("What is the problem, in a few words?").fill(TITLE)
    portal.get_by_label("Tell us more").fill("It shuts down within minutes and will not charge.")
    portal.get_by_label("Reference name 1").fill("Serial number")
    portal.get_by_label("Reference value 1").fill("5CD1234XYZ")
    portal.get_by_role("button", name="Send to support").click()
    case = Case.objects.get(title=TITLE)
    expect(portal).to_have_url(f"{live_server.url}/portal/cases/{case.reference}/")
    status = portal.get_by_test_id("plain-status")
    timeline = portal.get_by_test_id("portal-timeline")
    expect(status).to_have_text("Received: we're finding the right person")
    screens.shot(portal, "customer-reports")

    # 2. It waits in the agent's triage queue; the agent takes it.
    desk = signed_in_page(agent)
    triage = desk.get_by_test_id("triage")
    expect(triage).to_contain_text(TITLE)
    screens.shot(desk, "agent-triage")
    triage.get_by_role("button", name=f"Take ownership of {case.reference}").click()
    mine = desk.get_by_test_id("my-cases")
    expect(mine).to_contain_text(case.reference)
    mine.get_by_role("link", name=case.reference).click()
    expect(desk.get_by_test_id("owner")).to_have_text("Dana Lee, Support")
    expect(desk.get_by_test_id("identifiers")).to_contain_text("5CD1234XYZ")
    facts = desk.locator("#case-facts")
    open_action(desk, "Add identifier")
    facts.get_by_label("Name").fill("Asset tag")
    facts.get_by_label("Value").fill("LT-0042")
    facts.get_by_role("button", name="Add", exact=True).click()
    expect(desk.get_by_test_id("identifiers")).to_contain_text("LT-0042")
    screens.shot(desk, "agent-owns-case")

    # 3. The owner asks Hardware for a new power supply.
    handoffs = desk.locator("#handoffs")
    handoffs.locator("summary", has_text="Request a handoff").click()
    handoffs.get_by_label("Department").select_option(label="Hardware")
    handoffs.get_by_label("What is needed (internal)").fill("19 V rail reads 12 V: replace the PSU")
    handoffs.get_by_label("Customer-safe summary (optional)").fill("replacing the power supply")
    handoffs.get_by_role("button", name="Request handoff").click()
    expect(handoffs).to_contain_text("With Hardware: replacing the power supply")
    screens.shot(desk, "handoff-requested")

    # 4. Hardware does its part from its queue, on the same case.
    hardware = signed_in_page(hw_agent)
    hardware.get_by_role("link", name="Department handoffs").click()
    queue = hardware.locator("#queue")
    expect(queue).to_contain_text("Serial number: 5CD1234XYZ")
    hardware.get_by_role("button", name=f"Accept handoff for {case.reference}").click()
    expect(queue).to_contain_text("Accepted")
    hardware.get_by_role("link", name="Open case").click()
    work = hardware.locator("#handoffs li", has_text="With Hardware")
    work.locator("summary", has_text="Done").click()
    work.get_by_label("What was done").fill("Fitted a new 65 W power supply.")
    work.get_by_label("Customer-safe summary").fill("power supply replaced")
    work.get_by_role("button", name="Mark done").click()
    expect(hardware.locator("#handoffs")).to_contain_text("no department is working on it")
    screens.shot(hardware, "hardware-done")

    desk.reload()
    expect(desk.get_by_test_id("timeline")).to_contain_text("Fitted a new 65 W power supply.")
    assert not TimelineEntry.objects.filter(case=case, kind=EntryKind.DELAY_NOTICE).exists()

    # 5. The clock runs near the first-response deadline; the sweep tells the customer.
    # As if the case had been reported 3 h 01 min ago: its first-response deadline (4 h) is
    # 59 minutes away, past the owner's warning and the customer's notice.
    case = backdate(case, timedelta(hours=3, minutes=1))
    deadline = case.first_response_due
    assert timezone.now() < deadline < timezone.now() + timedelta(hours=1)
    assert run_sweep().steps >= 2  # the owner's warning and the customer's notice

    [mail] = smtp_sink.wait_for(customer.email, subject="take longer than we promised")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert TITLE in text
    assert f"/portal/cases/{case.reference}/" in text
    # The worker marks the notice sent just after the SMTP server has the mail.
    notice = Notice.objects.get(recipient=customer, kind="delay_notice")
    for _ in range(100):
        notice.refresh_from_db()
        if notice.status != Notice.Status.SENDING:
            break
        time.sleep(0.1)
    assert notice.status == Notice.Status.SENT
    assert notice.sent_at < deadline

    portal.reload()
    delay = timeline.locator(".timeline-entry.kind-delay_notice")
    expect(delay).to_contain_text("Delay notice")
    expect(delay).to_contain_text("will take longer than we promised")
    screens.shot(portal, "customer-told-of-delay")

    desk.reload()
    owner_sees = desk.get_by_test_id("timeline").locator(".timeline-entry.kind-delay_notice")
    expect(owner_sees).to_contain_text("will take longer than we promised")

    # 6. The owner proposes a resolution.
    def propose(body: str) -> None:
        header = desk.locator("#case-header")
        open_action(desk, "Propose resolution")
        header.get_by_label("What was done (the customer reads this and confirms)").fill(body)
        header.get_by_role("button", name="Ask the customer to confirm").click()
        expect(desk.locator("#case-header .badge.status-pending_confirmation")).to_be_visible()

    propose("The power supply is replaced: the laptop charges again.")
    screens.shot(desk, "owner-proposes")

    # 7. The customer says it is still broken.
    portal.reload()
    expect(status).to_have_text("We think it's fixed — please confirm")
    portal.locator("summary", has_text="No, still broken").click()
    portal.get_by_label("What is still wrong?").fill("It still dies after ten minutes on battery.")
    portal.get_by_role("button", name="Send: it's still broken").click()
    expect(portal.get_by_test_id("portal-notice")).to_have_text(
        "Thank you. Your case is open again with its owner."
    )
    expect(status).to_have_text("We're working on it")
    screens.shot(portal, "customer-still-broken")

    # 8. The owner fixes it and proposes again.
    desk.reload()
    expect(desk.get_by_test_id("timeline")).to_contain_text("It still dies after ten minutes")
    composer = desk.locator("#composer")
    reply(desk, "Sorry it is still dying: we are testing the battery now.")
    expect(desk.get_by_test_id("timeline").locator(".timeline-entry").last).to_contain_text(
        "testing the battery now"
    )
    composer.get_by_label("Internal note").check()
    composer.get_by_label("Message", exact=True).fill("Battery worn out (62 % capacity); replaced.")
    composer.get_by_role("button", name="Add internal note").click()
    expect(
        desk.get_by_test_id("timeline").locator(".timeline-entry.internal").last
    ).to_contain_text("Battery worn out")
    propose("We replaced the worn battery as well.")
    screens.shot(desk, "owner-proposes-again")

    # 9. The customer confirms and rates the help.
    portal.reload()
    expect(timeline).to_contain_text("We replaced the worn battery as well.")
    expect(timeline).not_to_contain_text("Battery worn out")  # internal stays internal
    portal.get_by_role("button", name="Yes, it's fixed").click()
    expect(portal.get_by_test_id("portal-notice")).to_have_text("Thank you! Your case is closed.")
    portal.get_by_label("5", exact=True).check()
    portal.get_by_label("Anything to add? (optional)").fill("One person, start to finish.")
    portal.get_by_role("button", name="Send rating").click()
    expect(portal.get_by_test_id("rated")).to_have_text("You rated this case 5/5. Thank you.")
    screens.shot(portal, "customer-confirms-and-rates")

    # 10. The manager sees it in the reports.
    reports = signed_in_page(manager)
    reports.get_by_role("link", name="Reports").click()
    headline = reports.get_by_test_id("headline")
    expect(headline).to_contain_text("reopen rate 50")
    expect(headline).to_contain_text("satisfaction 5.0/5")
    screens.shot(reports, "manager-summary")
    reports.get_by_role("link", name="Quality").click()
    figures = reports.get_by_test_id("quality-figures")
    expect(figures).to_contain_text("Closed by the customer's confirmation: 1")
    expect(reports.get_by_test_id("report-table")).to_contain_text("Dana Lee")
    screens.shot(reports, "manager-quality")

    # What the owner's part cost in clicks (take, identifier, handoff, replies, note, two
    # proposals): the desk's layout is judged by it.
    owner_clicks = desk.evaluate(CLICKS)
    print(f"the owner's clicks: {owner_clicks}")
    assert owner_clicks <= OWNER_CLICKS, owner_clicks

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.owner == agent
    assert len(smtp_sink.wait_for(customer.email, subject="take longer", timeout=0)) == 1
    assert screens.count == 12
