"""Promises kept: every estimate given to a customer is settled when the fix is proposed
(kept if by the estimate) or when a new estimate replaces it (not kept). The share is of
settled promises; one still running counts in "given" only."""

import pytest

from cases import services
from cases.services import promises
from tests.helpers import at, csv_rows, open_case, propose, report_table, report_text, take
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def estimates(clock, agent, teammate, customer):
    """Dana keeps one promise and replaces another (the new one still runs); Sam misses his."""
    kept = take(open_case(agent, customer, "Laptop will not power on"), agent)
    replaced = take(open_case(agent, customer, "Battery swells"), agent)
    missed = take(open_case(agent, customer, "Fan is loud"), teammate)
    promises.set_eta(case=kept, acting_user=agent, eta=T0 + 5 * HOUR)
    promises.set_eta(case=replaced, acting_user=agent, eta=T0 + 5 * HOUR)
    promises.set_eta(case=missed, acting_user=teammate, eta=T0 + 2 * HOUR)
    at(clock, T0 + HOUR)
    promises.send_delay_notice(
        case=replaced,
        acting_user=agent,
        message="The battery ships tomorrow.",
        new_eta=T0 + 30 * HOUR,
    )
    at(clock, T0 + 3 * HOUR)
    propose(kept, agent)
    propose(missed, teammate)


def test_promises_kept_share(estimates, manager_client):
    page = report_text(manager_client, "promises")
    assert "33.3% of 3 settled estimates kept (4 given in the period)." in page
    assert report_table(manager_client, "promises") == [
        ["Dana Lee", "Support", "3", "2", "1", "50.0"],
        ["Sam Ortiz", "Hardware", "1", "1", "0", "0.0"],
    ]
    assert "33.3% promises kept (3 settled)" in report_text(manager_client, "index")


def test_department_owner_and_period_narrow_the_promises(
    estimates, manager_client, agent, hardware
):
    assert "0.0% of 1 settled estimate kept (1 given in the period)." in report_text(
        manager_client, "promises", department=hardware.pk
    )
    assert report_table(manager_client, "promises", owner=agent.pk) == [
        ["Dana Lee", "Support", "3", "2", "1", "50.0"]
    ]
    later = report_text(manager_client, "promises", **{"from": "2025-03-04", "to": "2025-03-10"})
    assert "— of 0 settled estimates kept (0 given in the period)." in later
    assert "No estimates given in the period." in later


def test_promises_csv_has_the_rows_of_the_table(estimates, manager_client):
    assert csv_rows(manager_client, "promises") == [
        ["owner", "department", "promises", "settled", "kept", "kept %"],
        ["Dana Lee", "Support", "3", "2", "1", "50.0"],
        ["Sam Ortiz", "Hardware", "1", "1", "0", "0.0"],
    ]


def test_the_same_estimate_said_again_on_a_call_is_still_one_promise(
    clock, agent, customer, manager_client
):
    case = take(open_case(agent, customer, "Screen flickers"), agent)
    promises.set_eta(case=case, acting_user=agent, eta=T0 + 5 * HOUR)
    at(clock, T0 + HOUR)
    services.log_call(
        case=case, acting_user=agent, direction="outbound", outcome="reached",
        notes="The part arrives at noon, as I wrote.", new_eta=T0 + 5 * HOUR,
    )  # fmt: skip
    at(clock, T0 + 3 * HOUR)
    propose(case, agent)

    page = report_text(manager_client, "promises")
    assert "100.0% of 1 settled estimate kept (1 given in the period)." in page
