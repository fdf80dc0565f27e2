"""The desk without a mouse: the main agent flow (take, reply, hand off) with Tab, Enter
and the arrow keys alone, and the desk's own shortcuts (j/k, Enter, t, r, n, /, ?), which
stay quiet while the agent types in a field."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import EntryKind, Handoff, TimelineEntry, Visibility
from tests.helpers import browser_sign_in, open_case

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "keyboard"
REPLY = "I have your serial on file; a new power supply ships today."

# What the focused element is called: its label for a field, its text otherwise.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return (label || el.getAttribute("aria-label") || el.textContent || "").trim();
}"""


def tab_to(page, name: str, *, limit: int = 200) -> None:
    """Press Tab until the focused element is called `name` (as a person would, looking)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def assert_focus_visible(page) -> None:
    """The focused element wears the focus ring (helpdesk.css :focus-visible)."""
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus: {ring}"


def focused_row_text(page) -> str:
    return page.evaluate(
        "() => document.activeElement.matches('main table tbody tr')"
        " ? document.activeElement.textContent : ''"
    )


def test_agent_takes_replies_and_hands_off_with_the_keyboard_alone(
    page, live_server, agent, customer, hw_agent
):
    case = open_case(agent, customer, "Laptop will not power on", description="It fails.")
    browser_sign_in(page, live_server, agent.email)

    # Take it from the triage queue.
    tab_to(page, f"Take ownership of {case.reference}")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("my-cases")).to_contain_text(case.reference)

    # Open it.
    tab_to(page, case.reference)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/desk/cases/{case.reference}/")
    expect(page.get_by_test_id("owner")).to_have_text("Dana Lee, Support")

    # Reply to the customer: the kind is a radio group (arrow keys), then the message.
    tab_to(page, "Internal note")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUSED_NAME) == "Reply to customer"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Message"
    page.keyboard.type(REPLY)
    tab_to(page, "Send to customer")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    reply = page.get_by_test_id("timeline").locator(".timeline-entry.kind-agent_reply")
    expect(reply).to_contain_text(REPLY)

    # Hand the power supply to Hardware.
    tab_to(page, "Request a handoff")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Department"
    page.keyboard.type("Hardware")
    page.keyboard.press("Tab")
    page.keyboard.type("PSU reads 12 V instead of 19 V; replace it.")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Customer-safe summary (optional)"
    page.keyboard.type("replacing the power supply")
    page.keyboard.press("Enter")
    expect(page.locator("#handoffs")).to_contain_text("With Hardware: replacing the power supply")

    handoff = Handoff.objects.get(case=case)
    assert handoff.department.name == "Hardware"
    assert handoff.needed == "PSU reads 12 V instead of 19 V; replace it."
    stored = TimelineEntry.objects.get(case=case, kind=EntryKind.AGENT_REPLY)
    assert (stored.body, stored.visibility) == (REPLY, Visibility.PUBLIC)


def test_desk_shortcuts_move_take_open_and_compose(page, live_server, agent, customer):
    mine = open_case(agent, customer, "Dock flickers", description="It fails.", owner=agent)
    first = open_case(agent, customer, "Invoice PDF will not open", description="It fails.")
    second = open_case(agent, customer, "VPN drops every hour", description="It fails.")
    browser_sign_in(page, live_server, agent.email)
    expect(page.get_by_test_id("triage-count")).to_have_text("2")

    # j/k walk the rows of both lists, in page order.
    page.keyboard.press("j")
    assert mine.reference in focused_row_text(page)
    assert_focus_visible(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    page.keyboard.press("k")
    triage_rows = page.get_by_test_id("triage").locator("tbody tr")
    top = triage_rows.first.inner_text()
    assert top.split()[0] in focused_row_text(page)
    taken = first if first.reference in top else second

    # t takes the focused triage row; the focus follows the case into "My cases".
    page.keyboard.press("t")
    expect(page.get_by_test_id("my-cases")).to_contain_text(taken.reference)
    expect(page.get_by_test_id("triage-count")).to_have_text("1")
    expect(page.locator("[data-testid=my-cases] tbody tr:focus")).to_contain_text(taken.reference)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / "focused-row.png")

    # Enter opens the focused row's case.
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/desk/cases/{taken.reference}/")
    page.wait_for_load_state()  # the shortcuts (a deferred script) are listening

    # r: the composer, as a reply; what is typed there is text, never a shortcut.
    page.keyboard.press("r")
    composer = page.locator("#composer")
    expect(composer.get_by_label("Reply to customer")).to_be_checked()
    expect(composer.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.type("j k t n r ? /")
    expect(composer.get_by_label("Message", exact=True)).to_have_value("j k t n r ? /")
    expect(page.locator("#shortcuts-help")).not_to_be_visible()

    # n: the same composer, as an internal note.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    expect(composer.get_by_label("Internal note")).to_be_checked()
    expect(composer.get_by_label("Message", exact=True)).to_be_focused()

    # ? lists the shortcuts; Escape closes the list.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Take ownership")
    page.screenshot(path=ARTEFACTS / "shortcuts.png")
    page.keyboard.press("Escape")
    expect(help_dialog).not_to_be_visible()
    # The footer offers the same list; its Close button has the focus.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(help_dialog).to_be_visible()
    expect(help_dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(help_dialog).not_to_be_visible()

    # On an unowned case's page: t typed into the search field searches, it does not take.
    other = second if taken == first else first
    page.goto(f"{live_server.url}/desk/cases/{other.reference}/")
    page.keyboard.press("/")
    expect(page.get_by_label("Search cases")).to_be_focused()
    page.keyboard.type("t")
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("owner")).to_have_text("Nobody yet")

    # Out of the field, t takes the case on its page.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("t")
    expect(page.get_by_test_id("owner")).to_have_text("Dana Lee, Support")
    other.refresh_from_db()
    assert other.owner == agent
