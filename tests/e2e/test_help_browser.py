"""The help centre in a real browser: a customer about to report a problem finds an
article at intake and says it solved it (no case opened); the help centre's pages are
clean for axe and fit a phone."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from helpdesk.knowledge.models import Category, Deflection
from tests.e2e.test_accessibility import axe_page, blocking_violations
from tests.e2e.test_responsive import WIDTH, assert_fits
from tests.helpers import browser_sign_in
from tests.knowledge.conftest import published

pytestmark = pytest.mark.browser


@pytest.fixture
def articles(manager):
    laptops = Category.objects.create(name="Laptops", slug="laptops")
    return [
        published(manager, laptops, "Laptop will not charge",
                  "Check the **power supply**: its LED should be green.\n\n" + "Step. " * 60),
        published(manager, laptops, "Laptop fan is loud", "Clean the vents."),
    ]  # fmt: skip


def test_an_article_at_intake_solves_the_problem_without_a_case(
    page, live_server, customer, articles
):
    browser_sign_in(page, live_server, customer.email)
    page.goto(f"{live_server.url}/portal/cases/new/")

    page.get_by_label("What is the problem, in a few words?").fill(
        "My laptop will not charge at all"
    )
    suggested = page.get_by_test_id("suggested-articles")
    expect(suggested).to_contain_text("Laptop will not charge")
    suggested.get_by_role("button", name="This solved it for “Laptop will not charge”").click()

    expect(page.get_by_test_id("solved")).to_contain_text("no case was opened")
    assert not Case.objects.exists()
    deflection = Deflection.objects.get()
    assert deflection.article == articles[0]
    assert deflection.problem == "My laptop will not charge at all"


def test_the_help_centre_is_clean_for_axe_and_fits_a_phone(
    browser, live_server, customer, articles
):
    page = axe_page(browser)
    try:
        browser_sign_in(page, live_server, customer.email)
        problems = []
        for path in ("/help/", "/help/search/?q=charge", f"/help/{articles[0].slug}/"):
            page.goto(f"{live_server.url}{path}")
            problems += blocking_violations(page)
        assert problems == []
        page.set_viewport_size({"width": WIDTH, "height": 812})
        for name, path in (("help", "/help/"), ("help-article", f"/help/{articles[0].slug}/")):
            page.goto(f"{live_server.url}{path}")
            assert_fits(page, name)
    finally:
        page.context.close()
