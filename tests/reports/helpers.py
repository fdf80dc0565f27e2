"""Helpers for the report tests: the pages and CSV files as a manager gets them, the
tables on a page as rows of cell text, and the services' long keyword calls made short."""

import csv
import html
import io
import re
from datetime import datetime
from html.parser import HTMLParser

from cases import services
from cases.models import Case

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

# Tags that break a line: the text on either side reads as two words, not one.
BLOCK_TAG = re.compile(
    r"</?(p|div|li|ul|ol|br|h[1-6]|td|th|tr|option|button|label|form|select|input|title)\b"
    r"[^>]*>",
    re.I,
)


def get(client, name: str, **params):
    response = client.get(REPORTS[name], params)
    assert response.status_code == 200, response.status_code
    return response


def page_text(client, name: str, **params) -> str:
    """What a manager reads on the report: tags dropped, entities decoded, spaces collapsed."""
    return text(get(client, name, **params).content.decode())


def text(body: str) -> str:
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(BLOCK_TAG, " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def csv_rows(client, name: str, **params) -> list[list[str]]:
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
    parser = _Tables()
    parser.feed(body)
    return parser.tables


def table(client, name: str, testid: str = "report-table", **params) -> list[list[str]]:
    """The rows of one table on the report, each a list of cell texts."""
    found = dict(tables(get(client, name, **params).content.decode()))
    return found[testid]


def bars(svg: str) -> list[tuple[str, str]]:
    """The (label, value) of each bar of the page's SVG chart, top to bottom."""
    texts = [html.unescape(t) for t in re.findall(r'font-size="12">(.*?)</text>', svg)]
    return list(zip(texts[::2], texts[1::2], strict=True))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- the services, called as the desk and the portal call them ---------------------------


def open_case(agent, customer, title: str) -> Case:
    return services.open_case(
        acting_user=agent, customer=customer, title=title, description=f"{title}, please help."
    )


def take(case: Case, agent) -> Case:
    return services.take_ownership(case=case, acting_user=agent, expected_version=None)


def transfer(case: Case, by, to) -> Case:
    return services.transfer_ownership(
        case=case, acting_user=by, to=to, reason=f"{to.full_name} knows this best.",
        expected_version=None,
    )  # fmt: skip


def propose(case: Case, owner, body: str = "We replaced the power supply.") -> Case:
    return services.propose_resolution(
        case=case, acting_user=owner, body=body, expected_version=None
    )


def confirm(case: Case, customer) -> Case:
    return services.confirm_resolution(case=case, acting_user=customer, expected_version=None)


def at(clock, when: datetime) -> None:
    clock.move_to(when, tick=False)
