"""Every page of the desk, the portal and the reports, on the demo data, checked by axe-core
in a real browser: no violation with a serious or critical impact (contrast, names,
labels, landmarks, duplicate ids...). Every time shown carries the exact time on hover."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from cases import demo
from cases.models import Case, Incident
from notifications.models import InboundMessage
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_page(browser):
    """Our pages forbid inline scripts (Content-Security-Policy); axe comes in as one, so
    this browser lets the test, and only the test, inject it."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def page(browser):
    page = axe_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def demo_data(transactional_db):
    people = demo.seed_people()
    demo.seed_sla()
    demo.seed_cases(people)
    return people


def laptop() -> Case:
    return Case.objects.get(title__startswith="Laptop does not power on")


def blocking_violations(page) -> list[str]:
    """Run axe on the page as it is now; describe each serious or critical violation."""
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make assets)"
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = "".join(
            f"\n    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            for node in violation["nodes"]
        )
        found.append(
            f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}{nodes}"
        )
    return found


def untitled_times(page) -> list[str]:
    """Times shown as "3 hours ago" or "in 2h 05m" carry the exact time in their title."""
    return page.evaluate(
        "[...document.querySelectorAll('main time')].filter(t => !t.title).map(t => t.outerHTML)"
    )


def open_every_panel(page) -> None:
    """Action panels are <details>: their forms count too."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def check_pages(page, live_server, paths: list[str]) -> None:
    problems = []
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )
        problems += blocking_violations(page)
        problems += [f"{path}: {html} has no exact time on hover" for html in untitled_times(page)]
    assert problems == [], "\n".join(problems)


def test_desk_pages_have_no_serious_accessibility_violations(browser, page, live_server, demo_data):
    case = laptop()
    triage = Case.objects.get(title="Invoice PDF will not open")
    incident = Incident.objects.get()
    InboundMessage.objects.create(
        message_id="<unknown-sender@example.test>",
        raw=ContentFile(b"From: stranger@example.test\r\n\r\nHello", name="raw.eml"),
        size=40,
        sender="stranger@example.test",
        subject="Who do I ask about my order?",
        status=InboundMessage.Status.QUARANTINED,
        reason="Unknown sender",
    )
    browser_sign_in(page, live_server, "agent@demo.test", "demo")
    check_pages(
        page,
        live_server,
        [
            "/desk/",
            f"/desk/cases/{case.reference}/",
            f"/desk/cases/{triage.reference}/",
            "/desk/queue/",
            "/desk/incidents/",
            f"/desk/incidents/{incident.pk}/",
            "/desk/incidents/new/",
            "/desk/notices/",
            "/desk/search/",
            "/desk/search/?q=laptop",
            "/desk/cases/new/",
            "/desk/mail/",
            "/desk/mail/?show=ignored",
            "/desk/team/",
            "/desk/knowledge/",
            "/desk/saved-replies/",
        ],
    )

    # The list of keyboard shortcuts.
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    assert blocking_violations(page) == []

    # The owner's case page with every action panel open.
    page.goto(f"{live_server.url}/desk/cases/{case.reference}/")
    open_every_panel(page)
    assert blocking_violations(page) == []

    # A department's queue with work in it, and a handoff's own forms on the case page.
    parts = axe_page(browser)
    try:
        browser_sign_in(parts, live_server, "parts@demo.test", "demo")
        check_pages(parts, live_server, ["/desk/queue/"])
        parts.goto(f"{live_server.url}/desk/cases/{case.reference}/")
        open_every_panel(parts)
        assert blocking_violations(parts) == []
    finally:
        parts.context.close()


def test_portal_pages_have_no_serious_accessibility_violations(
    browser, page, live_server, demo_data
):
    case = laptop()
    incident = Incident.objects.get()
    check_pages(page, live_server, ["/accounts/login/"])
    browser_sign_in(page, live_server, "customer@demo.test", "demo")
    check_pages(
        page,
        live_server,
        [
            "/portal/",
            f"/portal/cases/{case.reference}/",
            "/portal/cases/new/",
            "/portal/settings/",
            f"/portal/incidents/{incident.pk}/",
            "/accounts/2fa/",
            "/accounts/2fa/totp/activate/",
            "/accounts/2fa/webauthn/add/",
        ],
    )

    # A proposed fix waiting for the customer's answer: "Is this fixed?" and its forms.
    pending = Case.objects.get(title="Water on the kitchen floor")
    other = axe_page(browser)
    try:
        browser_sign_in(other, live_server, "other@demo.test", "demo")
        other.goto(f"{live_server.url}/portal/cases/{pending.reference}/")
        open_every_panel(other)
        assert blocking_violations(other) == []
    finally:
        other.context.close()


def test_reports_have_no_serious_accessibility_violations(page, live_server, demo_data):
    browser_sign_in(page, live_server, "manager@demo.test", "demo")
    check_pages(
        page,
        live_server,
        [
            "/reports/",
            "/reports/unowned/",
            "/reports/time-to-owner/",
            "/reports/bounces/",
            "/reports/sla/",
            "/reports/promises/",
            "/reports/quality/",
            "/reports/one-voice/",
            "/reports/audit/",
        ],
    )
