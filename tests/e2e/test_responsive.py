"""The portal on a phone (375 px wide): nothing scrolls sideways and what the customer came
for is on the screen. A screenshot of each page is kept under test-artefacts/responsive/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases import services
from cases.services import handoffs
from tests.helpers import browser_sign_in, open_case

pytestmark = pytest.mark.browser

WIDTH = 375
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "responsive"
LONG_WORD = "https://downloads.example.test/drivers/laptop/5CD1234XYZ/bios-1.16-charging-fix.exe"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def laptop(agent, customer, hardware, hw_agent):
    case = open_case(
        agent,
        customer,
        "Laptop does not power on: power supply and battery failures since the BIOS update",
        description="It shuts down within minutes on battery.",
        identifiers=[
            services.IdentifierInput("Serial number", "5CD1234XYZ"),
            services.IdentifierInput("Order ID", "SO-2024-55310-0000000000000000000000"),
        ],
        owner=agent,
    )
    services.reply_to_customer(
        case=case, acting_user=agent, body=f"Please install the BIOS update from {LONG_WORD}"
    )
    handoff = handoffs.request_handoff(
        case=case,
        acting_user=agent,
        department=hardware,
        needed="Replace the power supply.",
        customer_summary="replacing the power supply",
    )
    handoffs.accept_handoff(handoff=handoff, acting_user=hw_agent)
    return case


def assert_fits(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name} scrolls sideways: {width} px wide"


def test_portal_fits_a_phone(phone, live_server, customer, laptop):
    page = phone
    browser_sign_in(page, live_server, customer.email)

    # Home: the case, its state and its owner; the way to report a problem.
    expect(page).to_have_url(f"{live_server.url}/portal/")
    assert_fits(page, "home")
    cases = page.get_by_test_id("portal-cases")
    expect(cases.get_by_role("link", name=laptop.reference)).to_be_visible()
    expect(cases).to_contain_text("Owned by Dana Lee, Support")
    expect(page.get_by_role("link", name="Report a problem").last).to_be_visible()
    # The menu folds away behind its toggle, which opens it.
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.get_by_role("link", name="How we reach you")).to_be_visible()
    assert_fits(page, "home-menu")

    # The case page: where it is, who owns it, what happened, and the reply box.
    page.goto(f"{live_server.url}/portal/cases/{laptop.reference}/")
    assert_fits(page, "case")
    expect(page.get_by_test_id("plain-status")).to_be_visible()
    expect(page.get_by_test_id("owner-sentence")).to_have_text(
        "Your case is owned by Dana Lee, Support."
    )
    expect(page.get_by_test_id("where")).to_contain_text("replacing the power supply")
    timeline = page.get_by_test_id("portal-timeline")
    expect(timeline.get_by_text(LONG_WORD)).to_be_visible()
    reply = page.get_by_label("Your message")
    reply.scroll_into_view_if_needed()
    expect(reply).to_be_visible()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()

    # The report form: every field within the screen.
    page.goto(f"{live_server.url}/portal/cases/new/")
    assert_fits(page, "report")
    for label in ("What is the problem, in a few words?", "Tell us more"):
        expect(page.get_by_label(label)).to_be_visible()
    send = page.get_by_role("button", name="Send to support")
    send.scroll_into_view_if_needed()
    expect(send).to_be_visible()
    box = send.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
