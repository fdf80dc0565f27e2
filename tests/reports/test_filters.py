"""Filters in the URL: a period (from/to), a department and an owner. A date that is not
a date is named in a clear message and the last 30 days are shown instead; nothing a
person can type into the query string breaks a report."""

import html
import re

import pytest
from django.http import QueryDict
from django.utils import timezone

from cases.models import Case, Status
from tests.helpers import REPORTS, TABLE_REPORTS, csv_rows, get_report, report_text, tables

pytestmark = pytest.mark.django_db

LAST_30_DAYS = 'name="from" value="2025-02-02"', 'name="to" value="2025-03-03"'


@pytest.mark.parametrize("name", list(REPORTS))
def test_malformed_date_shows_a_message_and_falls_back(name, clock, manager_client):
    response = get_report(manager_client, name, **{"from": "yesterday", "to": "2025-03-03"})

    body = response.content.decode()
    assert "From date &#x27;yesterday&#x27; is not a date like 2026-11-01." in body
    assert all(value in body for value in LAST_30_DAYS)


@pytest.mark.parametrize("name", TABLE_REPORTS)
def test_csv_with_a_malformed_date_falls_back_too(name, clock, manager_client):
    rows = csv_rows(manager_client, name, to="03/03/2025")

    assert len(rows[0]) >= 4  # the header row, then the rows of the last 30 days (none)
    assert rows[1:] == []


def test_a_period_that_ends_before_it_starts_is_named(clock, manager_client):
    page = report_text(manager_client, "sla", **{"from": "2025-03-01", "to": "2025-02-01"})

    assert "The period ends before it starts; showing the last 30 days." in page


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"department": "²"},
        {"owner": "99999999999999999999999"},
        {"department": "-1", "owner": "abc"},
    ],
    ids=["last-day", "first-day", "superscript-digit", "huge-number", "not-an-id"],
)
@pytest.mark.parametrize("name", list(REPORTS))
def test_nothing_typed_in_the_query_string_breaks_a_report(name, params, clock, manager_client):
    response = manager_client.get(REPORTS[name], params)

    assert response.status_code == 200


def test_a_date_past_the_calendar_is_named(clock, manager_client):
    page = report_text(manager_client, "promises", to="9999-12-31")

    assert "To date '9999-12-31' is out of range." in page


def test_next_page_keeps_the_filters(clock, manager_client, agent, teammate, hardware, customer):
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            title=f"Bounced {n}",
            customer=customer,
            organization_id=customer.organization_id,
            status=Status.OPEN,
            owner=owner,
            owning_department=owner.departments.get(),
            bounced=True,
            created=now,
            updated=now,
        )
        for n, owner in enumerate([agent] * 5 + [teammate] * 55)
    )

    body = get_report(manager_client, "bounces", department=hardware.pk).content.decode()
    assert "Page 1 of 2" in body
    href = html.unescape(re.search(r'href="([^"]*)">Next<', body).group(1))
    assert QueryDict(href.lstrip("?")) == QueryDict(f"department={hardware.pk}&page=2")

    second = get_report(manager_client, "bounces", **QueryDict(href.lstrip("?")).dict())
    rows = [row[0] for row in tables(second.content.decode())[0][1]]
    assert len(rows) == 5
    assert all(row.startswith("C-") and "Bounced" in row for row in rows)
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_offers_the_departments_and_owners_to_filter_by(
    name, manager_client, agent, teammate, hardware
):
    body = get_report(manager_client, name, department=hardware.pk).content.decode()

    departments = re.search(r'id="f-dept".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', departments) == [
        ("", "All"),
        (str(hardware.pk), "Hardware"),
        (str(agent.departments.get().pk), "Support"),
    ]
    assert f'<option value="{hardware.pk}" selected>Hardware</option>' in departments
    owners = re.search(r'id="f-owner".*?</select>', body, re.S).group(0)
    assert re.findall(r"<option [^>]*>([^<]*)</option>", owners) == [
        "All",
        "Dana Lee",
        "Morgan Reyes",
        "Sam Ortiz",
    ]
