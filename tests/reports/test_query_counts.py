"""Every report costs the same number of queries at 10 cases as at 300: each figure is an
aggregate in the database, never a loop over cases. The history is bulk-created here
(ownership, status changes, confirmations, reopens, breaches and notices, promises,
ratings, customer emails) so that every table of every report has rows at both sizes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import (
    Case,
    EntryKind,
    Promise,
    Satisfaction,
    SLAEvent,
    SLAStep,
    SLATarget,
    Status,
    TimelineEntry,
    Visibility,
)
from notifications.models import Notice
from tests.factories import AgentFactory
from tests.helpers import REPORTS, TABLE_REPORTS, tables

pytestmark = pytest.mark.django_db

SIZES = [10, 300]

# Each count starts with the session and the signed-in user (2 queries); every page's
# filter form lists the departments and the active agents (2 queries).
QUERIES = {
    # The median wait; breach totals; promises overall; closing counts and the rating
    # average; email totals; the unowned, lapsed, bounced and at-risk counts; chases, and
    # missed deadlines with those chased before told (3). The summary reads only the
    # headline figures, never the reports' table rows.
    "index": 4 + 13,
    # Page count and rows of new cases, lapsed rows.
    "unowned": 4 + 3,
    # Overall, still waiting, by week, by department.
    "time_to_owner": 4 + 4,
    # Page count and rows, then the ownership chains and handoffs of the rows shown.
    "bounces": 4 + 4,
    # Breach totals, by target and department, at-risk rows; chases, missed deadlines,
    # those chased before told, the most chased cases.
    "sla": 4 + 7,
    # Overall, by owner.
    "promises": 4 + 2,
    # Closing counts, ratings average, distribution, by owner.
    "quality": 4 + 4,
    # Totals, busiest cases, emails outside the voice.
    "voice": 4 + 3,
}
# CSV: the session and user, then the report's own queries (no filter form).
CSV_QUERIES = {
    "unowned": 2 + 1,
    "time_to_owner": 2 + 4,
    "bounces": 2 + 3,
    "sla": 2 + 2,
    "promises": 2 + 2,
    "quality": 2 + 4,
    "voice": 2 + 3,
}


def bulk_history(n: int, *, customer, agent, teammate, lead) -> None:
    """`n` cases of every kind the reports read, in one insert per table."""
    now = timezone.now()
    support, hardware = agent.departments.get(), teammate.departments.get()

    def shape(i: int) -> dict:
        kind = i % 5
        owner = [None, agent, teammate, lead, agent][kind]
        return {
            "status": [Status.NEW, Status.OPEN, Status.CLOSED, Status.OPEN, Status.OPEN][kind],
            "owner": owner,
            "owning_department": (hardware if owner == teammate else support) if owner else None,
            "first_owned_at": now - timedelta(hours=i % 7 + 1) if owner else None,
            "first_department": (support if i % 2 else hardware) if owner else None,
            "ownership_lapsed": kind == 3,
            "bounced": kind == 4,
            "first_response_due": now + timedelta(hours=1) if kind in (1, 4) else None,
        }

    cases = Case.objects.bulk_create(
        Case(
            title=f"Laptop {i} will not charge",
            customer=customer,
            organization_id=customer.organization_id,
            created=now - timedelta(days=i % 20, hours=12),
            updated=now,
            **shape(i),
        )
        for i in range(n)
    )
    entries = []
    for i, case in enumerate(cases):
        entries.append(_entry(case, EntryKind.CASE_OPENED, {"channel": "portal"}))
        if case.owner_id is None:
            continue
        path = [(None, agent, "Support")]
        if case.bounced:
            path += [(agent, teammate, "Hardware"), (teammate, agent, "Support")]
        entries += [
            _entry(case, EntryKind.OWNERSHIP_CHANGE, {
                "from": previous.pk if previous else None, "to": to.pk, "department": name,
            })
            for previous, to, name in path
        ]  # fmt: skip
        entries.append(_status(case, Status.OPEN, Status.PENDING_CONFIRMATION))
        if case.status == Status.CLOSED:
            entries.append(_status(case, Status.PENDING_CONFIRMATION, Status.CLOSED, auto=i % 3))
            if not i % 3:
                entries.append(_entry(case, EntryKind.CONFIRMATION, {}))
        elif i % 4 == 1:
            entries.append(_entry(case, EntryKind.REOPEN, {}))
    TimelineEntry.objects.bulk_create(entries)

    owned = [case for case in cases if case.owner_id]
    due = now - timedelta(hours=2)
    SLAEvent.objects.bulk_create(
        SLAEvent(case=case, target=SLATarget.RESOLUTION, due=due, step=step, created=due)
        for i, case in enumerate(owned)
        for step in ([SLAStep.BREACHED, SLAStep.CUSTOMER_NOTIFIED] if i % 2 else [SLAStep.BREACHED])
    )
    Promise.objects.bulk_create(
        Promise(
            case=case,
            made_by=case.owner,
            department=case.owning_department,
            eta=now,
            settled_at=now if i % 3 else None,
            kept=bool(i % 2) if i % 3 else None,
        )
        for i, case in enumerate(owned)
    )
    Satisfaction.objects.bulk_create(
        Satisfaction(case=case, rating=1 + i % 5, rated_by=customer)
        for i, case in enumerate(cases)
        if case.status == Status.CLOSED
    )
    Notice.objects.bulk_create(
        Notice(
            recipient=customer,
            case=case,
            kind=EntryKind.AGENT_REPLY if i % 7 else "sla_warning",
            channel=Notice.Channel.EMAIL,
            subject=f"[{case.reference}] Reply",
            idempotency_key=f"bulk:{case.pk}:{copy}",
            status=Notice.Status.SENT,
            sent_at=now,
        )
        for i, case in enumerate(owned)
        for copy in range(1 + i % 3)
    )


def _entry(case: Case, kind: str, data: dict) -> TimelineEntry:
    return TimelineEntry(
        case=case,
        kind=kind,
        visibility=Visibility.PUBLIC,
        data=data,
        created=case.first_owned_at or case.created,
    )


def _status(case: Case, old: str, new: str, auto: bool = False) -> TimelineEntry:
    data = {"from": old, "to": new, **({"auto": True} if auto else {})}
    return _entry(case, EntryKind.STATUS_CHANGE, data)


@pytest.fixture(params=SIZES, ids=[f"{n}-cases" for n in SIZES])
def history(request, customer, agent, teammate):
    lead = AgentFactory(full_name="Robin Chen", departments=list(agent.departments.all()))
    bulk_history(request.param, customer=customer, agent=agent, teammate=teammate, lead=lead)
    return request.param


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_page_queries_do_not_grow_with_cases(
    name, history, manager_client, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES[name]):
        response = manager_client.get(REPORTS[name])

    assert response.status_code == 200
    # Every table has rows, not its one-cell "none" line: nothing was skipped for want of data.
    for testid, rows in tables(response.content.decode()):
        assert rows and all(len(row) > 1 for row in rows), (testid, rows)


@pytest.mark.parametrize("name", TABLE_REPORTS)
def test_report_csv_queries_do_not_grow_with_cases(
    name, history, manager_client, django_assert_num_queries
):
    with django_assert_num_queries(CSV_QUERIES[name]):
        response = manager_client.get(REPORTS[name], {"format": "csv"})

    assert response.status_code == 200
    assert len(response.content.decode().splitlines()) > 1
