"""The API's docs render in a browser with no internet: Swagger UI and its assets come
from the installed packages, the schema from the app, and the console stays clean."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.test_console_clean_browser import watch

pytestmark = pytest.mark.browser


def test_the_docs_render_offline(page, live_server):
    ours = urlparse(live_server.url).netloc
    elsewhere: list[str] = []

    def offline(route):
        if urlparse(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    problems = watch(page)
    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.get_by_role("heading", name="Helpdesk API")).to_be_visible()
    expect(page.locator("#operations-cases-cases_take")).to_be_visible()
    page.locator("#operations-cases-cases_take .opblock-summary").click()
    expect(page.locator("#operations-cases-cases_take")).to_contain_text("If-Match")
    assert elsewhere == []
    assert problems == []
