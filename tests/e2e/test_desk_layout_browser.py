"""The desk at 1366 x 900, the most common office screen: the top bar on one line with
the search box's hint readable, and a case action's panel opening without moving the
other buttons."""

import pytest
from playwright.sync_api import expect

from cases import services
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_top_bar_stays_on_one_line(wide, live_server, manager):
    browser_sign_in(wide, live_server, manager.email)  # a manager sees every item, Reports included

    links = wide.locator("#nav-links .nav-link")
    expect(links.first).to_be_visible()
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    heights = {round(links.nth(i).bounding_box()["height"]) for i in range(links.count())}
    assert len(tops) == 1 and max(heights) < 48, (tops, heights)  # one line, none wrapped
    assert wide.locator("header nav").bounding_box()["height"] < 70
    bar = wide.locator("header nav .container-fluid")
    assert bar.evaluate("bar => bar.scrollWidth <= bar.clientWidth")  # nothing cut at the edge
    sign_out = wide.get_by_role("button", name="Sign out")
    assert sign_out.bounding_box()["x"] + sign_out.bounding_box()["width"] <= 1366
    # The search hint fits: typed into the box, it would not scroll.
    search = wide.locator("#nav-search")
    search.evaluate("field => { field.value = field.placeholder; }")
    assert search.evaluate("field => field.scrollWidth <= field.clientWidth")


def test_an_action_panel_opens_without_moving_the_other_buttons(
    wide, live_server, manager, customer
):
    case = services.report_case(acting_user=customer, title="Dock drops", description="Daily.")
    services.take_ownership(case=case, acting_user=manager, expected_version=case.version)
    browser_sign_in(wide, live_server, manager.email)
    wide.goto(f"{live_server.url}/desk/cases/{case.reference}/")
    toolbar = wide.locator(".case-actions")
    later = toolbar.get_by_text("Tell the customer about a delay")
    before = later.bounding_box()

    toolbar.get_by_text("Propose resolution").click()

    expect(wide.get_by_label("What was done")).to_be_visible()
    assert later.bounding_box() == before
    panel = wide.get_by_label("What was done").locator("xpath=ancestor::form")
    assert panel.bounding_box()["width"] > toolbar.bounding_box()["width"] * 0.9  # full width


def test_the_second_rank_of_actions_waits_under_more_actions(wide, live_server, manager, customer):
    case = services.report_case(acting_user=customer, title="Dock drops", description="Daily.")
    services.take_ownership(case=case, acting_user=manager, expected_version=case.version)
    browser_sign_in(wide, live_server, manager.email)
    wide.goto(f"{live_server.url}/desk/cases/{case.reference}/")
    toolbar = wide.locator(".case-actions")
    # The state's first action in view; the rest behind one button.
    expect(toolbar.get_by_text("Propose resolution")).to_be_visible()
    expect(toolbar.get_by_text("Transfer", exact=True)).to_be_hidden()
    propose = toolbar.get_by_text("Propose resolution").bounding_box()

    toolbar.get_by_text("More actions").click()
    expect(toolbar.get_by_role("button", name="Set priority")).to_be_visible()
    toolbar.locator("summary", has_text="Wait on customer").click()
    field = wide.get_by_label("What do you need from the customer?")
    field.fill("The serial number, please.")

    # The chosen action stands in the menu's place; its panel spans the toolbar.
    expect(toolbar.get_by_text("More actions")).to_be_hidden()
    expect(toolbar.get_by_role("button", name="Set priority")).to_be_hidden()
    panel = field.locator("xpath=ancestor::form")
    assert panel.bounding_box()["width"] > toolbar.bounding_box()["width"] * 0.9
    assert toolbar.get_by_text("Propose resolution").bounding_box() == propose
    # Another action closes the first, which keeps its words.
    toolbar.get_by_text("Propose resolution").click()
    expect(field).to_be_hidden()
    expect(wide.get_by_label("What was done")).to_be_visible()
    assert field.input_value() == "The serial number, please."

    # The facts sit beside the conversation, right of the timeline.
    facts = wide.locator("#case-facts").bounding_box()
    timeline = wide.get_by_test_id("timeline").bounding_box()
    assert facts["x"] > timeline["x"] + timeline["width"]
    expect(wide.get_by_test_id("owner")).to_have_text(manager.full_name + ", Support")
