"""Signing in with a real browser: the login form, the landing page, and its styles."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser


def test_agent_signs_in_and_sees_the_desk(page, live_server, agent):
    browser_sign_in(page, live_server, agent.email)

    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Dana Lee · Agent")
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)


def test_customer_signs_in_and_lands_on_the_portal(page, live_server, customer):
    browser_sign_in(page, live_server, customer.email)

    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.get_by_text("Acme")).to_be_visible()
    expect(page.get_by_text("Portal preview")).to_have_count(0)


def test_manager_follows_the_link_to_the_reports(page, live_server, manager):
    browser_sign_in(page, live_server, manager.email)

    page.get_by_role("link", name="Reports").click()

    expect(page).to_have_url(f"{live_server.url}/reports/")
    expect(
        page.get_by_role("heading", name="The customers nobody is looking after")
    ).to_be_visible()


def test_wrong_password_keeps_the_person_on_the_login_page(page, live_server, agent):
    browser_sign_in(page, live_server, agent.email, password="wrong")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_text("Please enter a correct email and password")).to_be_visible()


def test_signing_out_returns_to_the_login_page(page, live_server, agent):
    browser_sign_in(page, live_server, agent.email)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/desk/")


def test_pages_are_styled_from_our_own_static_files(page, live_server):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))

    page.goto(f"{live_server.url}/accounts/login/")

    assert failed == []
    for asset in ("/static/bootstrap/css/bootstrap.min.css", "/static/css/helpdesk.css"):
        assert page.request.get(f"{live_server.url}{asset}").status == 200
    # helpdesk.css lays the body out as a column; Bootstrap styles the primary button.
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    expect(page.get_by_role("button", name="Sign in")).to_have_css(
        "background-color", "rgb(13, 110, 253)"
    )
