"""Unowned cases: new cases nobody has taken, oldest first, with a Take button on each row;
and lapsed ones, whose owner left and whose department lead holds them until a real
owner takes them over."""

import re

import pytest

from cases import services
from tests.factories import AgentFactory
from tests.helpers import (
    at,
    csv_rows,
    desk_url,
    fresh,
    get_report,
    open_case,
    report_table,
    report_text,
    take,
    transfer,
)
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(support):
    """Robin leads Support: the one who inherits a leaving Support agent's cases."""
    robin = AgentFactory(email="robin@example.test", full_name="Robin Chen", departments=[support])
    support.lead = robin
    support.save(update_fields=["lead"])
    return robin


@pytest.fixture
def queue(clock, agent, teammate, customer, lead, manager):
    """At T0+3h: three cases waiting for an owner (opened at T0, +1h and +2h), one taken
    by Sam, and one of Dana's held by her lead since Dana was deactivated at T0+3h."""
    leak = take(open_case(agent, customer, "Water on the kitchen floor"), agent)
    oldest = open_case(agent, customer, "Laptop will not power on")
    at(clock, T0 + HOUR)
    portal = services.report_case(
        acting_user=customer, title="Web app stopped working", description="Since this morning."
    )
    at(clock, T0 + 2 * HOUR)
    newest = open_case(agent, customer, "Printer jams")
    taken = take(open_case(agent, customer, "Screen flickers"), teammate)
    at(clock, T0 + 3 * HOUR)
    services.deactivate_agent(agent=agent, acting_user=manager)
    return {"oldest": oldest, "portal": portal, "newest": newest, "taken": taken, "leak": leak}


def test_unowned_lists_new_cases_oldest_first_and_lapsed_ones(
    queue, manager_client, lead, teammate, manager, customer
):
    oldest, portal, newest = queue["oldest"], queue["portal"], queue["newest"]

    rows = report_table(manager_client, "unowned")
    assert [row[:4] for row in rows] == [
        [f"{oldest.reference} Laptop will not power on", "Alex Kim, Acme", "3 hours", "Support"],
        [f"{portal.reference} Web app stopped working", "Alex Kim, Acme", "2 hours", "portal"],
        [f"{newest.reference} Printer jams", "Alex Kim, Acme", "1 hour", "Support"],
    ]
    assert rows[0][4] == f"Take {oldest.reference} Assign…"
    leak = queue["leak"]
    assert fresh(leak).owner == lead
    assert report_table(manager_client, "unowned", testid="lapsed-table") == [
        [f"{leak.reference} Water on the kitchen floor", "Robin Chen", "0 minutes"],
    ]
    assert "3 unowned cases now, 1 lapsed" in report_text(manager_client, "index")

    # "Take" on the oldest row posts the form the page shows, as the browser would.
    body = get_report(manager_client, "unowned").content.decode()
    action, version = re.search(
        r'<form method="post" action="([^"]+/take/)">.*?name="version" value="(\d+)"', body, re.S
    ).groups()
    assert action == desk_url(oldest, "take/")
    response = manager_client.post(action, {"version": version})
    assert response.status_code == 302
    assert response["Location"] == desk_url(oldest)
    assert fresh(oldest).owner == manager
    assert [row[0] for row in report_table(manager_client, "unowned")] == [
        f"{portal.reference} Web app stopped working",
        f"{newest.reference} Printer jams",
    ]

    # A real owner takes the lapsed case over: it is no longer lapsed.
    transfer(leak, by=lead, to=teammate)
    assert report_table(manager_client, "unowned", testid="lapsed-table") == [["None."]]
    summary = report_text(manager_client, "index")
    assert "2 unowned cases now" in summary
    assert "lapsed" not in summary


def test_department_and_owner_narrow_the_lapsed_cases(queue, manager_client, lead, hardware):
    leak = queue["leak"]
    lapsed_row = [f"{leak.reference} Water on the kitchen floor", "Robin Chen", "0 minutes"]

    assert report_table(manager_client, "unowned", testid="lapsed-table", owner=lead.pk) == [
        lapsed_row
    ]
    assert report_table(
        manager_client, "unowned", testid="lapsed-table", department=hardware.pk
    ) == [["None."]]
    # Cases nobody owns yet have no department or owner to narrow by: all are listed.
    assert len(report_table(manager_client, "unowned", department=hardware.pk)) == 3


def test_unowned_csv_lists_the_same_cases_oldest_first(queue, manager_client):
    rows = csv_rows(manager_client, "unowned")

    assert rows[0] == ["case", "title", "customer", "organisation", "created", "came in through"]
    assert rows[1:] == [
        [queue["oldest"].reference, "Laptop will not power on", "Alex Kim", "Acme",
         "2025-03-03 09:00:00+00:00", "Support"],
        [queue["portal"].reference, "Web app stopped working", "Alex Kim", "Acme",
         "2025-03-03 10:00:00+00:00", "portal"],
        [queue["newest"].reference, "Printer jams", "Alex Kim", "Acme",
         "2025-03-03 11:00:00+00:00", "Support"],
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == [
        row[0].split()[0] for row in report_table(manager_client, "unowned")
    ]


def test_lapsed_since_counts_from_when_the_owner_left(queue, manager_client, teammate, clock):
    at(clock, T0 + 7 * HOUR)
    services.add_internal_note(
        case=queue["leak"], acting_user=teammate, body="The plumber comes at five."
    )

    assert report_table(manager_client, "unowned", testid="lapsed-table") == [
        [f"{queue['leak'].reference} Water on the kitchen floor", "Robin Chen", "4 hours"],
    ]
