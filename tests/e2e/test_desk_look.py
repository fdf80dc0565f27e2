"""The desk as agents see it all day, in a real browser: screenshots of the dashboard, a
case with a long timeline and the portal's case page at 1366, 1920 and 375 px (written to
test-artefacts/), no horizontal scroll, the top bar on one line from 1280 px, 20 rows of a
view visible at 1366 x 900, and axe clean at every impact in light and dark mode on the
new pages; a view filtered with its form and kept as the agent's own."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case, Priority
from tests.e2e.test_accessibility import AXE, axe_page
from tests.helpers import DESK_PAGES, browser_sign_in, busy_desk

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"
WIDTHS = [1366, 1920, 375]


@pytest.fixture
def desk(agent, teammate, customer, support):
    """Dana's floor: 60 open cases, and one with a long conversation."""
    return busy_desk(agent=agent, teammate=teammate, customer=customer, department=support)


def sized(browser, width: int, height: int = 900, *, dark: bool = False):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        bypass_csp=True,  # axe is injected as a script
        color_scheme="dark" if dark else "light",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_screenshots_at_three_widths_without_horizontal_scroll(
    browser, live_server, desk, agent, customer
):
    ARTEFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page = sized(browser, width)
        try:
            browser_sign_in(page, live_server, agent.email)
            for name, path in (
                ("desk-dashboard", "/desk/"),
                ("desk-view", "/desk/views/mine/"),
                ("desk-case", f"/desk/cases/{desk.reference}/"),
            ):
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=ARTEFACTS / f"{name}-{width}.png", full_page=True)
                assert no_horizontal_scroll(page), f"{path} scrolls sideways at {width} px"
        finally:
            page.context.close()
        portal = sized(browser, width)
        try:
            browser_sign_in(portal, live_server, customer.email)
            portal.goto(f"{live_server.url}/portal/cases/{desk.reference}/")
            portal.wait_for_load_state("networkidle")
            portal.screenshot(path=ARTEFACTS / f"portal-case-{width}.png", full_page=True)
            assert no_horizontal_scroll(portal), f"the portal case scrolls sideways at {width} px"
        finally:
            portal.context.close()
    assert len(list(ARTEFACTS.glob("*.png"))) >= 4 * len(WIDTHS)


@pytest.mark.parametrize("width", [1280, 1366, 1920])
def test_the_top_bar_is_one_line_from_1280(browser, live_server, manager, width):
    page = sized(browser, width)
    try:
        browser_sign_in(page, live_server, manager.email)
        assert page.locator("header nav").bounding_box()["height"] < 70
        assert page.locator("header nav .container-fluid").evaluate(
            "bar => bar.scrollWidth <= bar.clientWidth"
        )
    finally:
        page.context.close()


def test_twenty_cases_of_a_view_fit_a_1366_by_900_screen(browser, live_server, desk, agent):
    page = sized(browser, 1366, 900)
    try:
        browser_sign_in(page, live_server, agent.email)
        page.goto(f"{live_server.url}/desk/views/mine/")
        rows = page.locator('[data-testid="view-cases"] tbody tr')
        expect(rows.first).to_be_visible()
        visible = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="view-cases"] tbody tr')]
                .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
        )
        assert visible >= 20, f"only {visible} rows fit on the screen"
    finally:
        page.context.close()


def all_violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
    ]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_desk_page_is_clean_for_axe_in_both_modes(browser, live_server, desk, agent, dark):
    page = sized(browser, 1366, dark=dark)
    try:
        browser_sign_in(page, live_server, agent.email)
        problems = []
        for path in DESK_PAGES:
            page.goto(f"{live_server.url}{path}")
            mode = page.evaluate("document.documentElement.getAttribute('data-bs-theme')")
            assert mode == ("dark" if dark else "light")
            expect(page.locator('[data-testid="count-mine"]')).to_be_visible()
            problems += all_violations(page)
        # The case page with its second rank of actions open, then one of them.
        page.goto(f"{live_server.url}/desk/cases/{desk.reference}/")
        page.locator("#case-header summary", has_text="More actions").click()
        problems += all_violations(page)
        page.locator("#case-header summary", has_text="Wait on customer").click()
        problems += all_violations(page)
        assert problems == [], "\n".join(problems)
    finally:
        page.context.close()


def test_the_choice_of_dark_mode_is_remembered(browser, live_server, agent):
    page = axe_page(browser)
    try:
        browser_sign_in(page, live_server, agent.email)
        toggle = page.locator("[data-theme-toggle]")
        expect(toggle).to_be_visible()
        toggle.click()
        assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
        expect(toggle).to_have_attribute("aria-pressed", "true")

        page.goto(f"{live_server.url}/desk/views/mine/")

        assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
    finally:
        page.context.close()


def test_an_agent_filters_a_view_and_keeps_it_as_their_own(browser, live_server, desk, agent):
    Case.objects.filter(title__in=["Laptop 1 dock", "Laptop 2 dock"]).update(
        priority=Priority.URGENT
    )
    page = sized(browser, 1366)
    try:
        browser_sign_in(page, live_server, agent.email)
        page.goto(f"{live_server.url}/desk/views/mine/")
        page.get_by_label("Urgent", exact=True).check()
        page.get_by_role("button", name="Apply").click()
        expect(page.locator('[data-testid="view-count"]')).to_have_text("2")

        page.get_by_label("Name", exact=True).fill("Urgent docks")
        page.get_by_role("button", name="Save as my view").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Urgent docks")
        current = page.locator('[data-testid="my-views"] a[aria-current="page"]')
        expect(current).to_contain_text("Urgent docks")
        expect(current.locator('[data-testid^="count-saved-"]')).to_have_text("2")  # the poll
        page.screenshot(path=ARTEFACTS / "desk-saved-view-1366.png", full_page=True)
        problems = all_violations(page)
        assert problems == [], "\n".join(problems)
    finally:
        page.context.close()
