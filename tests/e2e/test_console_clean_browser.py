"""The browser console stays clean through a day's first clicks on the desk and the portal:
no Content-Security-Policy violation on a dynamic update, no missing file (a favicon)."""

import pytest
from playwright.sync_api import expect

from cases import services
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} @ {message.location.get('url')}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.status not in (409, 422)
            else None
        ),
    )
    return problems


def test_the_desk_updates_without_console_errors(page, live_server, agent, customer):
    case = services.report_case(acting_user=customer, title="Dock drops", description="Daily.")
    problems = watch(page)
    browser_sign_in(page, live_server, agent.email)

    page.get_by_role("button", name=f"Take ownership of {case.reference}").click()
    expect(page.get_by_test_id("my-cases")).to_contain_text(case.reference)
    page.goto(f"{live_server.url}/desk/cases/{case.reference}/")
    composer = page.locator("#composer")
    composer.get_by_label("Message", exact=True).fill("Checked the cable.")
    composer.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#composer")).to_contain_text("Internal note added.")
    page.get_by_text("Propose resolution").click()
    page.get_by_role("button", name="Ask the customer to confirm").click()  # empty: refused
    # Leaving while a poll is in flight aborts it, which htmx reports: a person's next click
    # comes after the page settled.
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/desk/search/?q=dock")
    expect(page.locator("main")).to_contain_text("Dock drops")

    assert problems == []


def test_the_portal_updates_without_console_errors(page, live_server, customer):
    case = services.report_case(acting_user=customer, title="Dock drops", description="Daily.")
    problems = watch(page)
    browser_sign_in(page, live_server, customer.email)

    page.goto(f"{live_server.url}/portal/cases/{case.reference}/")
    page.get_by_label("Your message").fill("It happened again at nine.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("portal-notice")).to_contain_text("Sent.")
    page.goto(f"{live_server.url}/portal/cases/new/")
    with page.expect_response(lambda response: "/portal/cases/similar/" in response.url):
        page.get_by_label("What is the problem, in a few words?").fill("Scanner offline")

    assert problems == []
