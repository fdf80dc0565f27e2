"""Bounces: cases passed back and forth. The owner got it back (A → B → A), a department
was asked twice (a declined handoff re-sent), or it changed hands more than three times.
A case that went straight to its owner, with a handoff done once, is not a bounce."""

import pytest

from cases.services import handoffs
from tests.factories import AgentFactory, DepartmentFactory
from tests.helpers import at, csv_rows, fresh, open_case, report_table, report_text, take, transfer
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed_around(clock, agent, teammate, customer, parts):
    """Four cases, each last touched an hour after the one before."""
    pat = AgentFactory(full_name="Pat Moss", departments=[parts])
    quinn = AgentFactory(full_name="Quinn Fox", departments=[DepartmentFactory(name="Warranty")])
    ray = AgentFactory(full_name="Ray Kim", departments=[DepartmentFactory(name="Software")])

    straight = take(open_case(agent, customer, "Fan is loud"), agent)
    asked = handoffs.request_handoff(
        case=straight, acting_user=agent, department=teammate.departments.get(), needed="A fan"
    )
    handoffs.complete_handoff(handoff=asked, acting_user=teammate, result="Fan replaced.")

    at(clock, T0 + HOUR)
    back_and_forth = take(open_case(agent, customer, "Laptop will not power on"), agent)
    transfer(back_and_forth, by=agent, to=teammate)
    transfer(back_and_forth, by=teammate, to=agent)

    at(clock, T0 + 2 * HOUR)
    resent = take(open_case(agent, customer, "Battery swells"), agent)
    first = handoffs.request_handoff(
        case=resent, acting_user=agent, department=parts, needed="Ship a battery"
    )
    handoffs.decline_handoff(handoff=first, acting_user=pat, reason="Not in stock.")
    handoffs.request_handoff(
        case=resent, acting_user=agent, department=parts, needed="Ship a battery, any model"
    )

    at(clock, T0 + 3 * HOUR)
    many = take(open_case(agent, customer, "Warranty claim"), agent)
    for by, to in [(agent, teammate), (teammate, pat), (pat, quinn), (quinn, ray)]:
        transfer(many, by=by, to=to)
    return {"straight": straight, "aba": back_and_forth, "resent": resent, "many": many}


def test_bounces_flag_a_b_a_and_resent_handoffs_with_path(passed_around, manager_client):
    aba, resent, many = passed_around["aba"], passed_around["resent"], passed_around["many"]

    assert report_table(manager_client, "bounces") == [
        [f"{many.reference} Warranty claim", "Support → Hardware → Parts → Warranty → Software",
         "4", "0", "many changes", "Ray Kim"],
        [f"{resent.reference} Battery swells", "Support", "0", "1", "department asked twice",
         "Dana Lee"],
        [f"{aba.reference} Laptop will not power on", "Support → Hardware → Support", "2", "0",
         "owner got it back", "Dana Lee"],
    ]  # fmt: skip
    page = report_text(manager_client, "bounces")
    assert passed_around["straight"].reference not in page
    assert "3 bounced cases" in report_text(manager_client, "index")


def test_department_owner_and_period_narrow_the_bounces(
    passed_around, manager_client, agent, support
):
    def listed(**params):
        return [row[0].split()[0] for row in report_table(manager_client, "bounces", **params)]

    software = fresh(passed_around["many"]).owning_department
    assert software.name == "Software"
    assert listed(department=software.pk) == [passed_around["many"].reference]
    assert listed(owner=agent.pk) == [
        passed_around["resent"].reference,
        passed_around["aba"].reference,
    ]
    assert listed(department=support.pk) == listed(owner=agent.pk)
    none = [["No bounced cases in the period."]]
    assert (
        report_table(manager_client, "bounces", **{"from": "2025-03-04", "to": "2025-03-10"})
        == none
    )
    assert report_table(manager_client, "bounces", to="2025-03-02") == none


def test_bounces_csv_has_the_same_cases_with_path_and_reasons(passed_around, manager_client):
    aba, resent, many = passed_around["aba"], passed_around["resent"], passed_around["many"]

    assert csv_rows(manager_client, "bounces") == [
        ["case", "title", "ownership changes", "declined handoffs", "owner again",
         "department asked again", "path"],
        [many.reference, "Warranty claim", "4", "0", "False", "False",
         "Support → Hardware → Parts → Warranty → Software"],
        [resent.reference, "Battery swells", "0", "1", "False", "True", "Support"],
        [aba.reference, "Laptop will not power on", "2", "0", "True", "False",
         "Support → Hardware → Support"],
    ]  # fmt: skip
