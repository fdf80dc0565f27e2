"""What the tests share: requests as a browser makes them, a page's text as a person reads
it, the reports as a manager gets them, the services called as the desk and the portal call
them, a case's timeline and notices, rows in bulk, the mail that left, and the clock.

Plain functions and constants; the fixtures are in tests/conftest.py."""

import csv
import html
import io
import re
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases import clocks, services
from cases.models import Attachment, Case, EntryKind, Status, TimelineEntry, Visibility
from notifications import delivery
from notifications.models import Notice
from notifications.sweep import SweepResult, run_sweep

# --- the stories of DESIGN.md -----------------------------------------------------------------

# The case of the laptop story (story 1), as open_case and report_case take it.
LAPTOP = {"title": "Laptop will not power on", "description": "Power supply and battery both fail."}
# The incident of the outage story (story 2), and its cases as bulk_cases writes them
# ("{i}": the case's number).
OUTAGE_TITLE = "Sign-in errors in the web program after release 4.2"
OUTAGE_CASE = {"title": "Web program error {i}", "description": "Error page after signing in."}

# --- requests and pages --------------------------------------------------------------------

HTMX = {"HX-Request": "true"}  # the header htmx sends with each request it makes


def desk_url(case: Case, suffix: str = "") -> str:
    """The case's page on the desk, or one of its actions or fragments (`suffix`)."""
    return f"/desk/cases/{case.reference}/{suffix}"


def portal_url(case: Case, suffix: str = "") -> str:
    """The case's page in the portal, or one of its actions or fragments (`suffix`)."""
    return f"/portal/cases/{case.reference}/{suffix}"


def signed_in(user) -> Client:
    """A browser of its own, signed in as `user` (several people in one test)."""
    client = Client()
    client.force_login(user)
    return client


def sign_in(client: Client, email: str, password: str = "pw", **extra):
    """Post the sign-in form; `extra` goes to the test client (follow, REMOTE_ADDR...)."""
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def browser_sign_in(page, live_server, email: str, password: str = "pw") -> None:
    """Sign in a real browser through the login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def upload(name: str, content: bytes = b"file body", content_type: str = "text/plain"):
    """A file as a browser uploads it with a form."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def streamed(response) -> bytes:
    """The whole body of a download (a streaming response); reading it closes the file."""
    return b"".join(response.streaming_content)


def stored_files(folder: Path) -> list[Path]:
    """Every file below `folder` (none if it does not exist), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# Tags that break a line: the text on either side reads as two words, not one.
BLOCK_TAG = re.compile(
    r"</?(p|div|li|ul|ol|br|h[1-6]|section|nav|dd|dt|dl|td|th|tr|option|button|label|form|"
    r"summary|details|legend|fieldset|textarea|input|select|main|header|footer|title)\b[^>]*>",
    re.I,
)


def page_text(page) -> str:
    """What a person reads on a page (a response or its HTML): scripts, styles and charts
    dropped, tags removed, entities decoded, spaces collapsed."""
    body = page if isinstance(page, str) else page.content.decode()
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(BLOCK_TAG, " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def run_command(name: str, *args) -> str:
    """What a management command prints."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


# --- the reports, as a manager gets them ------------------------------------------------------

REPORTS = {
    "index": "/reports/",
    "unowned": "/reports/unowned/",
    "time_to_owner": "/reports/time-to-owner/",
    "bounces": "/reports/bounces/",
    "sla": "/reports/sla/",
    "promises": "/reports/promises/",
    "quality": "/reports/quality/",
    "voice": "/reports/one-voice/",
}
# Every report but the summary has a table and its CSV.
TABLE_REPORTS = [name for name in REPORTS if name != "index"]


def get_report(client: Client, name: str, **params):
    """The report's page, which must answer 200."""
    response = client.get(REPORTS[name], params)
    assert response.status_code == 200, response.status_code
    return response


def report_text(client: Client, name: str, **params) -> str:
    """What a manager reads on the report."""
    return page_text(get_report(client, name, **params))


def csv_rows(client: Client, name: str, **params) -> list[list[str]]:
    """The report's CSV export, header row first."""
    response = client.get(REPORTS[name], {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


class _Tables(HTMLParser):
    """Every <table> of a page: its data-testid and the cell text of each body row."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str | None, list[list[str]]]] = []
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("data-testid"), []))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(body: str) -> list[tuple[str | None, list[list[str]]]]:
    """Each table of the HTML `body`: its data-testid and its body rows as cell texts."""
    parser = _Tables()
    parser.feed(body)
    return parser.tables


def report_table(client: Client, name: str, testid: str = "report-table", **params):
    """The rows of one table on the report, each a list of cell texts."""
    found = dict(tables(get_report(client, name, **params).content.decode()))
    return found[testid]


def bars(svg: str) -> list[tuple[str, str]]:
    """The (label, value) of each bar of the page's SVG chart, top to bottom."""
    texts = [html.unescape(t) for t in re.findall(r'font-size="12">(.*?)</text>', svg)]
    return list(zip(texts[::2], texts[1::2], strict=True))


# --- the services, called as the desk and the portal call them ------------------------------


def open_case(agent, customer, title: str, *, description=None, owner=None, **details) -> Case:
    """A case `agent` opens on the desk for `customer` ("<title>, please help." unless
    `description` says otherwise), taken by `owner` if one is given; `details` go to the
    service (priority, identifiers, files)."""
    if description is None:
        description = f"{title}, please help."
    case = services.open_case(
        acting_user=agent, customer=customer, title=title, description=description, **details
    )
    return case if owner is None else take(case, owner)


def report_case(customer, title: str, *, description: str = "", **details) -> Case:
    """A case `customer` reports in the portal; `details` go to the service."""
    return services.report_case(
        acting_user=customer, title=title, description=description, **details
    )


def take(case: Case, agent) -> Case:
    """`agent` takes the unowned case from triage."""
    return services.take_ownership(case=case, acting_user=agent, expected_version=None)


def transfer(case: Case, by, to) -> Case:
    """`by` hands the case to `to`, saying why."""
    return services.transfer_ownership(
        case=case, acting_user=by, to=to, reason=f"{to.full_name} knows this best.",
        expected_version=None,
    )  # fmt: skip


def propose(case: Case, owner, body: str = "We replaced the power supply.") -> Case:
    """The owner proposes a fix (`body`) and asks the customer to confirm it."""
    return services.propose_resolution(
        case=case, acting_user=owner, body=body, expected_version=None
    )


def confirm(case: Case, customer) -> Case:
    """The customer confirms the fix: the case closes."""
    return services.confirm_resolution(case=case, acting_user=customer, expected_version=None)


def fresh(row):
    """The row (a case, a handoff...) as the database has it now."""
    return type(row)._default_manager.get(pk=row.pk)


def entries(case: Case, kind: str, **filters) -> list[TimelineEntry]:
    """The case's timeline entries of one kind (narrowed by `filters`), oldest first."""
    return list(TimelineEntry.objects.filter(case=case, kind=kind, **filters).order_by("pk"))


def notices(recipient, *, channel: str = Notice.Channel.EMAIL, **filters):
    """The notices to `recipient` on one channel (email unless told), as a queryset."""
    return Notice.objects.filter(recipient=recipient, channel=channel, **filters)


def backdate(case: Case, by: timedelta) -> Case:
    """The case as if opened `by` ago: its SLA clocks counted again from then."""
    case = fresh(case)
    case.created = timezone.now() - by
    case.save(update_fields=["created", *clocks.refresh_clocks(case)])
    return case


# --- rows in bulk, for query counts at hundreds of rows ---------------------------------------


def bulk_cases(n: int, *, customer, owner=None, department=None, **fields) -> list[Case]:
    """`n` cases of `customer` in one insert: open and owned by `owner` (of `department`),
    or new in the triage queue without one; `fields` set the other columns (title may hold
    "{i}", the case's number)."""
    now = timezone.now()
    defaults = {
        "title": "Laptop {i} will not charge",
        "customer": customer,
        "organization_id": customer.organization_id,
        "status": Status.OPEN if owner else Status.NEW,
        "owner": owner,
        "owning_department": department if owner else None,
        "first_owned_at": now if owner else None,
        "created": now,
        "updated": now,
    }
    rows = []
    for i in range(n):
        row = {**defaults, **fields}
        row["title"] = row["title"].format(i=i)
        rows.append(Case(**row))
    return Case.objects.bulk_create(rows)


def bulk_files(entries: list[TimelineEntry]) -> list[Attachment]:
    """A small photo on each of `entries`, in one insert."""
    return Attachment.objects.bulk_create(
        Attachment(
            case_id=entry.case_id,
            entry=entry,
            file=f"attachments/{entry.case_id}/{entry.pk}",
            filename=f"photo-{entry.pk}.jpg",
            content_type="image/jpeg",
            size=2048,
        )
        for entry in entries
    )


def bulk_timeline(case: Case, n: int, *, agent, teammate) -> list[TimelineEntry]:
    """`n` entries of mixed kinds and authors, the last three with a file each."""
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind=EntryKind.INTERNAL_NOTE if i % 2 else EntryKind.AGENT_REPLY,
            visibility=Visibility.INTERNAL if i % 2 else Visibility.PUBLIC,
            actor=teammate if i % 3 else agent,
            department=(teammate if i % 3 else agent).departments.first(),
            body=f"Update {i}",
            body_html=f"<p>Update {i}</p>",
        )
        for i in range(n)
    )
    bulk_files(entries[-3:])
    return entries


# The desk's pages as an agent meets them in a day (the case page aside).
DESK_PAGES = (
    "/desk/",
    "/desk/views/mine/",
    "/desk/views/unowned/",
    "/desk/queue/",
    "/desk/search/?q=dock",
    "/desk/team/",
    "/desk/incidents/",
    "/desk/mail/",
    "/desk/notices/",
    "/desk/cases/new/",
)


def busy_desk(*, agent, teammate, customer, department) -> Case:
    """A full working day on the agent's desk: 60 open cases, and one with a long
    conversation (60 entries), which is returned."""
    bulk_cases(60, customer=customer, owner=agent, department=department, title="Laptop {i} dock")
    case = services.report_case(
        acting_user=customer, title="Screen flickers on the dock", description="Since Monday."
    )
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    bulk_timeline(case, 60, agent=agent, teammate=teammate)
    return case


# --- the mail that left -----------------------------------------------------------------------


def deliver_due_email() -> int:
    """Send every email notice whose time has come, as the worker and the re-drive would."""
    return sum(delivery.deliver(notice_id) for notice_id in delivery.redrive())


def mail_to(person) -> list:
    """Messages in the test mailbox addressed to `person`."""
    return [m for m in mail.outbox if person.email in m.to]


def email_text(message) -> str:
    """Subject, plain body and HTML alternative of one message in the test mailbox."""
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


# --- the clock, and waiting for a worker ------------------------------------------------------


def at(clock, when: datetime) -> None:
    """Move the frozen clock to `when`; it stays there."""
    clock.move_to(when, tick=False)


def sweep_at(clock, when: datetime) -> SweepResult:
    """Move the frozen clock to `when` and run the SLA sweep there, as beat would."""
    at(clock, when)
    return run_sweep(now=when)


def wait_for(condition, timeout: float = 10.0, interval: float = 0.1):
    """Poll until `condition()` is truthy or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    return condition()
