"""Stored XSS, in a real Chromium: seventy hostile payloads typed into every field people
fill in (case titles, descriptions, replies, notes, identifiers, file names, handoffs,
incident titles and updates, delay notices, ratings, transfer reasons, failed sign-in
names, inbound mail subjects, bodies and sender names), then every desk, portal and
reports page that shows them is opened.

Nothing may run: no dialog opens, no request reaches the beacon the payloads point at, no
element carries an event handler, a foreign script, a frame or a javascript: link. The
pages are opened twice: once as served (the Content-Security-Policy on), and once with the
policy bypassed, so escaping and sanitizing are shown to hold on their own. Our own code
triggers no CSP violation, and the payloads are seen on the pages as text.
"""

import base64
import time
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from cases.services import handoffs, incidents, promises
from helpdesk.celery import app
from notifications import inbound
from tests.helpers import browser_sign_in, desk_url, portal_url, upload
from tests.security.xss_payloads import pack, payloads
from tests.smtp import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push({
  directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
  sample: e.sample, line: e.lineNumber}));
"""

# What a page may hold after the payloads went in: nothing that runs or frames.
AUDIT_DOM = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith("on")) found.push(`${el.tagName} ${attr}`);
      if (/^(data-)?hx-on/.test(attr)) found.push(`${el.tagName} ${attr}`);
    }
    const tag = el.tagName.toLowerCase();
    if (["iframe", "object", "embed", "frame", "frameset", "portal", "base", "applet"]
        .includes(tag)) found.push(tag);
    if (tag === "meta" && (el.getAttribute("http-equiv") || "").toLowerCase() === "refresh")
      found.push("meta refresh");
    if (tag === "script" && !(el.getAttribute("src") || "").startsWith("/static/"))
      found.push(`script ${el.getAttribute("src") || "inline"}`);
    if (tag === "link" && !(el.getAttribute("href") || "").startsWith("/static/"))
      found.push(`link ${el.getAttribute("href")}`);
    if (tag === "style") found.push("style element");
    for (const name of ["href", "src", "action", "formaction", "data", "srcdoc", "hx-get",
                        "hx-post", "data-hx-get", "style"]) {
      const value = (el.getAttribute(name) || "").replace(/\\s/g, "").toLowerCase();
      if (value.startsWith("javascript:") || value.startsWith("data:text/html")
          || value.includes("beacon") && name !== "href")
        found.push(`${el.tagName} ${name}=${value}`);
    }
  }
  return found;
}
"""


def raw_mail(sender: str, subject: str, body: str, *, files=()) -> bytes:
    """Headers as RFC 2047 encoded words and file names as RFC 2231: once decoded they hold
    whatever a hostile sender put there."""
    boundary = f"b-{uuid.uuid4().hex}"
    encoded = base64.b64encode(subject.encode()).decode()
    lines = [
        f"From: {sender}",
        "To: support@helpdesk.localhost",
        f"Subject: =?utf-8?b?{encoded}?=",
        f"Message-ID: <{uuid.uuid4()}@mail.example.test>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        base64.encodebytes(body.encode()).decode().strip(),
    ]
    for name in files:
        lines += [
            f"--{boundary}",
            "Content-Type: text/plain",
            f"Content-Disposition: attachment; filename*=utf-8''{quote(name, safe='')}",
            "",
            "file",
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode()


def encoded_name(name: str, address: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(name.encode()).decode()}?= <{address}>"


def plant(beacon: str, *, agent, manager, customer, organization, support) -> dict:
    """Every place people write, filled with payloads; returns what to open."""
    items = payloads(beacon)
    everything = "\n\n".join(items)
    chunks = pack(items, 200)
    files = [upload(f"{p[:150]}.txt", b"x") for p in items]

    # Titles: every payload in some case's title, all in the triage queue.
    titled = [
        services.open_case(
            acting_user=agent,
            customer=customer,
            title=chunk,
            description=chunk,
            identifiers=[services.IdentifierInput(chunk[:60], chunk)],
        )
        for chunk in chunks[1:]
    ]

    # One case that carries everything, owned by the manager we browse the desk as.
    full = services.open_case(
        acting_user=agent,
        customer=customer,
        title=chunks[0],
        description=everything,
        identifiers=[services.IdentifierInput(p[:60], p) for p in items],
        files=files[:5],
    )
    full = services.take_ownership(case=full, acting_user=agent, expected_version=None)
    services.reply_to_customer(case=full, acting_user=agent, body=everything, files=files[5:10])
    # A message carries at most five files: the rest come as notes of five each.
    for start in range(10, len(files), 5):
        services.add_internal_note(
            case=full, acting_user=agent, body=everything, files=files[start : start + 5]
        )
    services.wait_on_customer(
        case=full, acting_user=agent, expected_version=None, message=everything
    )
    services.add_customer_message(case=full, acting_user=customer, body=everything)
    promises.send_delay_notice(
        case=full,
        acting_user=agent,
        message=everything,
        new_eta=timezone.now() + timedelta(days=2),
    )
    services.transfer_ownership(
        case=full, acting_user=agent, to=manager, reason=everything[:2000], expected_version=None
    )
    handoffs.request_handoff(
        case=full,
        acting_user=manager,
        department=support,
        needed=everything,
        customer_summary=chunks[0],
    )
    incident = incidents.open_incident(
        acting_user=agent,
        title=chunks[0],
        public_summary=everything,
        cause=chunks[1][:200],
        cases=[full, titled[0]],
    )
    update = incidents.post_update(
        incident=incident, acting_user=agent, body=everything, public=True
    )
    incidents.fan_out(update.pk)

    # A closed case with a rating comment.
    rated = services.open_case(
        acting_user=agent, customer=customer, title=chunks[2], description=chunks[2]
    )
    rated = services.take_ownership(case=rated, acting_user=manager, expected_version=None)
    rated = services.propose_resolution(
        case=rated, acting_user=manager, body=everything, expected_version=None
    )
    rated = services.confirm_resolution(case=rated, acting_user=customer, expected_version=None)
    services.rate_case(case=rated, acting_user=customer, rating=1, comment=everything)

    # Mail: a new case, a reply on the full case, a new customer with a hostile name, and
    # a stranger waiting in the quarantine.
    organization.email_domains = "acme.example"
    organization.save(update_fields=["email_domains"])
    mailed = inbound.receive(
        raw_mail(customer.email, chunks[3], everything, files=[p[:150] for p in items[:20]])
    ).case
    reply = inbound.receive(raw_mail(customer.email, f"Re: [{full.reference}] more", everything))
    stranger_name = '" onmouseover="alert(71)" x=\' onfocus=alert(72) autofocus'
    newcomer = inbound.receive(
        raw_mail(encoded_name(stranger_name, "new@acme.example"), chunks[4], everything)
    ).case
    waiting = inbound.receive(
        raw_mail(encoded_name(chunks[5][:100], "who@unknown.example"), chunks[5], everything)
    )
    assert mailed.title == chunks[3] and reply.case_id == full.pk
    assert newcomer.customer.full_name == stranger_name
    assert waiting.status == "quarantined"

    # Failed sign-ins and reflected parameters for the audit trail.
    for item in items[:15]:
        Client().post("/accounts/login/", {"username": item, "password": "x"})

    hostile_query = quote(chunks[0])
    refs = [full.reference, rated.reference, mailed.reference, newcomer.reference]
    return {
        "full": full,
        "desk": [
            "/desk/",
            f"/desk/search/?q={hostile_query}",
            "/desk/search/?q=script",
            *[f"/desk/cases/{ref}/" for ref in refs],
            desk_url(titled[0]),
            "/desk/incidents/",
            f"/desk/incidents/{incident.pk}/",
            f"/desk/incidents/new/?cases={full.reference}&cases={titled[0].reference}",
            "/desk/queue/",
            "/desk/mail/",
            "/desk/notices/",
            f"/reports/audit/?x={hostile_query}",
            "/reports/unowned/",
            "/portal/",
            portal_url(full),
        ],
        "portal": [
            "/portal/",
            *[f"/portal/cases/{ref}/" for ref in refs[:3]],
            f"/portal/incidents/{incident.pk}/",
            "/portal/cases/new/",
            f"/portal/cases/similar/?title={hostile_query}",
        ],
    }


class Watch:
    """Everything a page did that a payload could have caused, and its requests in flight."""

    def __init__(self, page, beacon: str):
        self.page, self.beacon = page, beacon
        self.dialogs: list[str] = []
        self.beacons: list[str] = []
        self.console: list[str] = []
        self.in_flight: set = set()
        self.last_activity = time.monotonic()
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)
        page.on("console", self._console)

    def settle(self, quiet: float = 0.1, timeout: float = 10.0) -> None:
        """Like Playwright's "networkidle", with a shorter quiet time: the page's own HTMX
        requests (the similar-cases panel, the bell) have come back."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.in_flight and time.monotonic() - self.last_activity > quiet:
                return
            self.page.wait_for_timeout(25)
        raise AssertionError(f"requests still in flight: {self.in_flight}")

    def _done(self, request):
        self.in_flight.discard(request)
        self.last_activity = time.monotonic()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request):
        self.in_flight.add(request)
        self.last_activity = time.monotonic()
        if request.url.startswith(self.beacon):
            self.beacons.append(request.url)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.console.append(message.text)


def check_the_watch(page, watch: Watch, *, csp: bool) -> None:
    """The watch sees what it must: a dialog, a request to the beacon (when no policy
    blocks it first), a CSP violation (when the policy is on). Then it starts clean."""
    page.evaluate("alert('self-test')")
    page.evaluate(f"fetch('{watch.beacon}/self-test').catch(() => null)")
    page.evaluate("(() => { try { eval('1') } catch (e) {} })()")
    page.wait_for_timeout(100)
    assert watch.dialogs == ["alert: self-test"]
    assert bool(watch.beacons) is not csp
    violations = page.evaluate("window.__csp")
    assert bool(violations) is csp and bool(watch.console) is csp, violations
    watch.dialogs.clear()
    watch.beacons.clear()
    watch.console.clear()
    watch.settle()


def visit(page, watch: Watch, url: str, problems: list[str]) -> str:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    watch.settle()
    # Focus and hover events would fire a handler that made it into the page.
    for _ in range(4):
        page.keyboard.press("Tab")
    page.mouse.move(10, 10)
    page.mouse.move(600, 400, steps=4)
    watch.settle()
    problems += [f"{url}: {found}" for found in page.evaluate(AUDIT_DOM)]
    problems += [f"{url}: CSP {v}" for v in page.evaluate("window.__csp")]
    return page.evaluate("document.body.innerText")


def swap_in_new_entries(page, watch, live_server, url, add_entry, problems: list[str]) -> None:
    """HTMX's path: an entry written after the page loaded arrives through the poll."""
    visit(page, watch, f"{live_server.url}{url}", problems)
    before = page.locator(".timeline-entry").count()
    add_entry()
    page.evaluate("htmx.trigger(document.body, 'timelineChanged')")
    # (Playwright's wait_for_function would eval a string, which our policy forbids.)
    expect(page.locator(".timeline-entry")).to_have_count(before + 1)
    watch.settle()
    problems += [f"{url} (swapped): {found}" for found in page.evaluate(AUDIT_DOM)]
    problems += [f"{url} (swapped): CSP {v}" for v in page.evaluate("window.__csp")]


def test_no_payload_runs_on_any_page(
    browser, live_server, agent, manager, customer, organization, support
):
    beacon = f"http://127.0.0.1:{free_port()}/beacon"
    plan = plant(
        beacon,
        agent=agent,
        manager=manager,
        customer=customer,
        organization=organization,
        support=support,
    )
    full: Case = plan["full"]
    everything = "\n\n".join(payloads(beacon))
    problems: list[str] = []
    watches: list[Watch] = []
    shown_as_text = 0
    try:
        for bypass_csp in (False, True):
            for email, paths in ((manager.email, plan["desk"]), (customer.email, plan["portal"])):
                context = browser.new_context(bypass_csp=bypass_csp)
                context.add_init_script(WATCH)
                page = context.new_page()
                page.set_default_timeout(10_000)
                watch = Watch(page, beacon)
                watches.append(watch)
                browser_sign_in(page, live_server, email)
                check_the_watch(page, watch, csp=not bypass_csp)
                for path in paths:
                    text = visit(page, watch, f"{live_server.url}{path}", problems)
                    shown_as_text += text.count("onerror=alert(")
                if email == manager.email:
                    swap_in_new_entries(
                        page,
                        watch,
                        live_server,
                        desk_url(full),
                        lambda: services.add_internal_note(
                            case=full, acting_user=manager, body=everything
                        ),
                        problems,
                    )
                else:
                    swap_in_new_entries(
                        page,
                        watch,
                        live_server,
                        portal_url(full),
                        lambda: services.reply_to_customer(
                            case=full, acting_user=manager, body=everything
                        ),
                        problems,
                    )
                context.close()
    finally:
        app.control.purge()  # the deliveries these changes queued are for no worker here

    assert [d for w in watches for d in w.dialogs] == [], "a payload opened a dialog"
    assert [b for w in watches for b in w.beacons] == [], "a payload reached the beacon"
    assert problems == [], "\n".join(problems[:40])
    assert [c for w in watches for c in w.console] == [], "our pages broke their own policy"
    # Not vacuous: the payloads were on the pages, as text.
    assert shown_as_text > 100
