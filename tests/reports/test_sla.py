"""The surprise rate: of the SLA breaches in the period, the share the customer learned of
only by the deadline passing, with no notice from us at or before the due time (goal 0%).

The normal policy runs on a 24x7 calendar: a case opened at t is due a first response at
t+4h; its owner is warned at t+2h and the customer told at t+3h, if the sweep runs then.
A sweep that runs late (beat stopped, say) tells the customer after the deadline: that
breach is a surprise.
"""

import pytest

from cases.services import promises
from tests.helpers import (
    at,
    bars,
    csv_rows,
    get_report,
    open_case,
    propose,
    report_table,
    report_text,
    sweep_at,
    take,
)
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db

MINUTE = HOUR / 60


@pytest.fixture
def three_breaches(policies, clock, agent, teammate, customer):
    """Three first-response breaches at T0+4h, +4h30 and +5h; only the first customer heard
    of the delay beforehand (the sweep ran at T0+3h, then not again until T0+6h)."""
    told = take(open_case(agent, customer, "Laptop will not power on"), agent)
    at(clock, T0 + 30 * MINUTE)
    late = take(open_case(agent, customer, "Battery will not charge"), agent)
    at(clock, T0 + HOUR)
    hardware_late = take(open_case(agent, customer, "Power supply hums"), teammate)
    sweep_at(clock, T0 + 3 * HOUR)
    sweep_at(clock, T0 + 6 * HOUR)
    return told, late, hardware_late


def test_surprise_rate_counts_breaches_without_prior_notice(
    three_breaches, manager_client, agent, customer, clock
):
    told, late, hardware_late = three_breaches

    page = report_text(manager_client, "sla")
    assert (
        "Surprise rate: 66.7% (2 of 3 breaches without a notice to the customer beforehand; "
        "the goal is 0%)" in page
    )
    assert report_table(manager_client, "sla") == [
        ["First response", "Hardware", "1", "1"],
        ["First response", "Support", "2", "1"],
    ]
    assert csv_rows(manager_client, "sla")[1:] == report_table(manager_client, "sla")
    chart = get_report(manager_client, "sla").content.decode()
    assert bars(chart) == [("First response · Hardware", "1"), ("First response · Support", "2")]
    # Still overdue for their first response: at risk now, most overdue first.
    at_risk = report_table(manager_client, "sla", testid="at-risk")
    assert [row[0].split()[0] for row in at_risk] == [
        told.reference,
        late.reference,
        hardware_late.reference,
    ]
    assert [row[1] for row in at_risk] == ["Dana Lee", "Dana Lee", "Sam Ortiz"]
    summary = report_text(manager_client, "index")
    assert "66.7% surprise rate (3 breaches; goal 0%) · 3 at risk now" in summary

    # The fixes go out; then a case whose owner tells the customer of the delay
    # themselves, before the deadline: its breach is no surprise.
    for case, owner in zip(three_breaches, [agent, agent, hardware_late.owner], strict=True):
        propose(case, owner)
    at(clock, T0 + 6 * HOUR)
    warned = take(open_case(agent, customer, "Docking station flickers"), agent)
    at(clock, T0 + 7 * HOUR)
    promises.send_delay_notice(
        case=warned,
        acting_user=agent,
        message="The replacement dock ships tomorrow.",
        new_eta=T0 + 30 * HOUR,
    )
    sweep_at(clock, T0 + 19 * HOUR)  # its resolution was due at T0+18h

    assert "Surprise rate: 50.0% (2 of 4 breaches" in report_text(manager_client, "sla")
    assert report_table(manager_client, "sla")[-1] == ["Resolution", "Support", "1", "0"]
    assert "50.0% surprise rate (4 breaches; goal 0%) · 1 at risk now" in report_text(
        manager_client, "index"
    )


@pytest.mark.parametrize(
    ("how", "rate"),
    [
        ("the owner tells the customer first", "0.0%"),
        ("the sweep runs every hour and tells the customer first", "0.0%"),
        ("the sweep runs only after the deadline", "100.0%"),
    ],
)
def test_breach_is_a_surprise_only_without_notice_by_the_due_time(
    how, rate, policies, clock, agent, customer, manager_client
):
    case = take(open_case(agent, customer, "Laptop will not power on"), agent)
    if how == "the owner tells the customer first":
        at(clock, T0 + HOUR)
        promises.send_delay_notice(
            case=case, acting_user=agent, message="Parts are late.", new_eta=T0 + 20 * HOUR
        )
    elif how == "the sweep runs every hour and tells the customer first":
        for hours in range(1, 13):
            sweep_at(clock, T0 + hours * HOUR)
    sweep_at(clock, T0 + 13 * HOUR)  # the first response was due at T0+4h, resolution at +12h

    assert f"Surprise rate: {rate}" in report_text(manager_client, "sla")
    assert f"{rate} surprise rate" in report_text(manager_client, "index")


def test_period_department_and_owner_narrow_the_breaches(
    three_breaches, manager_client, agent, teammate, hardware, support
):
    assert "Surprise rate: 100.0% (1 of 1 breach" in report_text(
        manager_client, "sla", department=hardware.pk
    )
    assert "Surprise rate: 50.0% (1 of 2 breaches" in report_text(
        manager_client, "sla", owner=agent.pk
    )
    assert "100.0% surprise rate (1 breach; goal 0%)" in report_text(
        manager_client, "index", department=hardware.pk
    )
    assert report_table(manager_client, "sla", department=support.pk) == [
        ["First response", "Support", "2", "1"]
    ]
    # The breaches were due on 3 March: a period that ends the day before has none.
    before = report_text(manager_client, "sla", to="2025-03-02")
    assert "Surprise rate: — (0 of 0 breaches" in before
    assert "No breaches in the period." in before
    assert csv_rows(manager_client, "sla", to="2025-03-02") == [
        ["target", "department", "breaches", "without notice"]
    ]
    assert csv_rows(manager_client, "sla", **{"from": "2025-03-03", "owner": teammate.pk}) == [
        ["target", "department", "breaches", "without notice"],
        ["First response", "Hardware", "1", "1"],
    ]
