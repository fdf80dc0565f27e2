"""Time to owner: how long a customer's problem waited before someone owned it. Median,
90th percentile (PostgreSQL's percentile_cont, interpolated) and worst, by week and by the
department of the first owner."""

import pytest

from tests.helpers import (
    at,
    csv_rows,
    get_report,
    open_case,
    report_table,
    report_text,
    tables,
    take,
    transfer,
)
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db

WEEK = 168 * HOUR


@pytest.fixture
def waits(clock, agent, teammate, customer):
    """Waits of 1h (Dana), 2h (Sam), 3h (Dana) and 10h (Sam) for cases opened at T0, and
    one of 5h (Dana) the week before; one case still waits and is not counted yet."""
    at(clock, T0 - WEEK)
    earlier = open_case(agent, customer, "Router keeps rebooting")
    at(clock, T0 - WEEK + 5 * HOUR)
    take(earlier, agent)
    at(clock, T0)
    cases = [open_case(agent, customer, f"Laptop {n} will not charge") for n in range(1, 5)]
    open_case(agent, customer, "Still waiting for someone")
    for case, hours, owner in zip(
        cases, [1, 2, 3, 10], [agent, teammate, agent, teammate], strict=True
    ):
        at(clock, T0 + hours * HOUR)
        take(case, owner)
    return cases


def test_time_to_owner_median_p90_worst(waits, manager_client):
    page = report_text(manager_client, "time_to_owner", **{"from": "2025-03-03"})
    assert (
        "4 cases got an owner in the period: median 2.5 h, 90th percentile 7.9 h, worst 10.0 h."
        in page
    )
    assert report_table(manager_client, "time_to_owner", **{"from": "2025-03-03"}) == [
        ["Mon 3 Mar 2025", "4", "2.5", "7.9", "10.0"]
    ]

    # The last 30 days (the default period) take in the week before too.
    page = report_text(manager_client, "time_to_owner")
    assert (
        "5 cases got an owner in the period: median 3.0 h, 90th percentile 8.0 h, worst 10.0 h."
        in page
    )
    assert report_table(manager_client, "time_to_owner") == [
        ["Mon 24 Feb 2025", "1", "5.0", "5.0", "5.0"],
        ["Mon 3 Mar 2025", "4", "2.5", "7.9", "10.0"],
    ]
    assert "3.0 h median time to an owner" in report_text(manager_client, "index")
    chart = get_report(manager_client, "time_to_owner").content.decode()
    assert 'aria-label="Median hours to an owner, by week"' in chart
    assert ">24 Feb</text>" in chart and ">03 Mar</text>" in chart


def test_grouped_by_the_department_of_the_first_owner(
    waits, manager_client, clock, agent, teammate
):
    by_department = [["Hardware", "2", "6.0", "9.2", "10.0"], ["Support", "3", "3.0", "4.6", "5.0"]]
    body = get_report(manager_client, "time_to_owner").content.decode()
    assert tables(body)[1][1] == by_department  # the second table, after the weeks

    # Dana hands her 1-hour case to Sam: it was still Support that took it first.
    at(clock, T0 + 11 * HOUR)
    transfer(waits[0], by=agent, to=teammate)
    body = get_report(manager_client, "time_to_owner").content.decode()
    assert tables(body)[1][1] == by_department  # the second table, after the weeks


def test_department_owner_and_period_narrow_the_waits(waits, manager_client, teammate, hardware):
    assert (
        "2 cases got an owner in the period: median 6.0 h, 90th percentile 9.2 h, worst 10.0 h."
        in report_text(manager_client, "time_to_owner", department=hardware.pk)
    )
    assert "2 cases got an owner in the period: median 6.0 h" in report_text(
        manager_client, "time_to_owner", owner=teammate.pk
    )
    assert "1 case got an owner in the period: median 5.0 h" in report_text(
        manager_client, "time_to_owner", to="2025-03-02"
    )
    assert "0 cases got an owner in the period: median — h" in report_text(
        manager_client, "time_to_owner", **{"from": "2025-03-04", "to": "2025-03-10"}
    )


def test_time_to_owner_csv_has_the_rows_of_both_tables(waits, manager_client):
    assert csv_rows(manager_client, "time_to_owner") == [
        ["by", "group", "cases", "median hours", "p90 hours", "worst hours"],
        ["week", "2025-02-24", "1", "5.0", "5.0", "5.0"],
        ["week", "2025-03-03", "4", "2.5", "7.9", "10.0"],
        ["department", "Hardware", "2", "6.0", "9.2", "10.0"],
        ["department", "Support", "3", "3.0", "4.6", "5.0"],
    ]


def test_an_owner_at_once_is_a_wait_of_zero_hours_not_no_data(
    clock, agent, customer, manager_client
):
    take(open_case(agent, customer, "Laptop will not power on"), agent)

    assert (
        "1 case got an owner in the period: median 0.0 h, 90th percentile 0.0 h, worst 0.0 h."
        in report_text(manager_client, "time_to_owner")
    )
    assert "0.0 h median time to an owner" in report_text(manager_client, "index")
