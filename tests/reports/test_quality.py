"""Resolution quality: how cases end. Closed by the customer's confirmation, closed by the
sweep after its one reminder went unanswered, or closed by the owner; the reopen rate
("still broken" after a proposed fix); and the customers' ratings, by owner."""

from datetime import timedelta

import pytest

from cases import services
from notifications.sweep import run_sweep
from tests.helpers import (
    at,
    bars,
    confirm,
    csv_rows,
    get_report,
    open_case,
    propose,
    report_table,
    report_text,
    take,
)
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def rate(case, customer, rating: int) -> None:
    services.rate_case(case=case, acting_user=customer, rating=rating)


@pytest.fixture
def endings(policies, clock, agent, teammate, customer):
    """Dana: one confirmed (rated 5), one closed after the reminder, one she closed herself
    (rated 2). Sam: one "still broken", fixed again and confirmed (rated 4)."""
    confirmed = take(open_case(agent, customer, "Laptop will not power on"), agent)
    silent = take(open_case(agent, customer, "Battery swells"), agent)
    closed = take(open_case(agent, customer, "Duplicate of the laptop"), agent)
    reopened = take(open_case(agent, customer, "Fan is loud"), teammate)

    at(clock, T0 + HOUR)
    propose(confirmed, agent)
    propose(silent, agent)
    services.close_case(
        case=closed, acting_user=agent, reason="Same problem as the laptop.", expected_version=None
    )
    rate(closed, customer, 2)
    propose(reopened, teammate, "We cleaned the fan.")

    at(clock, T0 + 2 * HOUR)
    confirm(confirmed, customer)
    rate(confirmed, customer, 5)
    services.reopen(
        case=reopened, acting_user=customer, reason="Still loud.", expected_version=None
    )

    at(clock, T0 + 3 * HOUR)
    propose(reopened, teammate, "We replaced the fan.")
    confirm(reopened, customer)
    rate(reopened, customer, 4)

    # Nobody answers the proposal on the battery: one reminder after 3 days, closed 4 later.
    for when in (T0 + HOUR + 3 * DAY, T0 + HOUR + 7 * DAY):
        at(clock, when)
        run_sweep(now=when)
    return {"silent": silent}


def test_resolution_quality(endings, manager_client, customer):
    page = report_text(manager_client, "quality")
    assert "Closed by the customer's confirmation: 2" in page
    assert "Closed after the one reminder, without an answer: 1" in page
    assert "Closed by the owner: 1" in page
    assert 'Reopen rate ("still broken" after a proposed fix): 25.0% (1 of 4)' in page
    assert "Satisfaction: 3.67/5 from 3 ratings" in page
    assert report_table(manager_client, "quality") == [
        ["Hardware", "Sam Ortiz", "4.00", "1"],
        ["Support", "Dana Lee", "3.50", "2"],
    ]
    chart = get_report(manager_client, "quality").content.decode()
    assert 'aria-label="Ratings from 1 to 5"' in chart
    # One bar per rating, 1 to 5: none, one 2, none, one 4, one 5.
    assert chart.count("<rect ") == 5
    assert bars(chart) == [("1", "0"), ("2", "1"), ("3", "0"), ("4", "1"), ("5", "1")]

    summary = report_text(manager_client, "index")
    assert (
        "2 / 1 closed by confirmation / after the reminder · reopen rate 25.0% · "
        "satisfaction 3.7/5" in summary
    )


def test_department_owner_and_period_narrow_the_quality(endings, manager_client, agent, hardware):
    hardware_page = report_text(manager_client, "quality", department=hardware.pk)
    assert "Closed by the customer's confirmation: 1" in hardware_page
    assert "Closed after the one reminder, without an answer: 0" in hardware_page
    assert 'Reopen rate ("still broken" after a proposed fix): 50.0% (1 of 2)' in hardware_page
    assert "Satisfaction: 4.00/5 from 1 rating" in hardware_page

    danas = report_text(manager_client, "quality", owner=agent.pk)
    assert "Closed by the customer's confirmation: 1" in danas
    assert "Closed after the one reminder, without an answer: 1" in danas
    assert "Closed by the owner: 1" in danas
    assert 'Reopen rate ("still broken" after a proposed fix): 0.0% (0 of 2)' in danas
    assert "Satisfaction: 3.50/5 from 2 ratings" in danas

    # The first days hold everything but the automatic close on 10 March, and vice versa.
    first_days = report_text(manager_client, "quality", to="2025-03-05")
    assert "Closed after the one reminder, without an answer: 0" in first_days
    assert "Satisfaction: 3.67/5 from 3 ratings" in first_days
    last_days = report_text(manager_client, "quality", **{"from": "2025-03-06"})
    assert "Closed by the customer's confirmation: 0" in last_days
    assert "Closed after the one reminder, without an answer: 1" in last_days
    assert "Closed by the owner: 0" in last_days
    assert 'Reopen rate ("still broken" after a proposed fix): — (0 of 0)' in last_days
    assert "Satisfaction: — from 0 ratings" in last_days


def test_quality_csv_has_the_rows_of_the_table(endings, manager_client):
    assert csv_rows(manager_client, "quality") == [
        ["department", "owner", "average rating", "ratings"],
        ["Hardware", "Sam Ortiz", "4.0", "1"],
        ["Support", "Dana Lee", "3.5", "2"],
    ]
