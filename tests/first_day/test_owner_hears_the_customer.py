"""The owner hears, in-app and in the customer's words, when the customer answers a
proposed resolution ("No, still broken" or "Yes, it's fixed") or rates the case."""

import pytest
from django.urls import reverse

from cases import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(customer, agent):
    case = services.report_case(acting_user=customer, title="VPN drops", description="Hourly.")
    case = services.take_ownership(case=case, acting_user=agent, expected_version=case.version)
    return services.propose_resolution(
        case=case, acting_user=agent, body="New certificate installed.", expected_version=None
    )


def portal_post(client, case, action, data):
    return client.post(reverse(f"portal:{action}", kwargs={"reference": case.reference}), data)


def owner_notices(client, agent) -> str:
    client.force_login(agent)
    response = client.get(reverse("desk:notices"))
    assert response.status_code == 200
    return response.text


def test_still_broken_tells_the_owner_what_is_wrong(client, customer, agent, proposed):
    client.force_login(customer)
    portal_post(client, proposed, "still_broken", {"body": "It dropped again at 10:40."})

    page = owner_notices(client, agent)

    assert f"Alex Kim says {proposed.reference} is still broken" in page
    assert "It dropped again at 10:40." in page


def test_a_confirmation_and_a_rating_reach_the_owner(client, customer, agent, proposed):
    client.force_login(customer)
    portal_post(client, proposed, "confirm", {})
    portal_post(client, proposed, "rate", {"rating": "4", "comment": "Quick, thanks."})

    page = owner_notices(client, agent)

    assert f"Alex Kim confirmed the fix on {proposed.reference}" in page
    assert f"Alex Kim rated {proposed.reference} 4 of 5" in page
    assert "Quick, thanks." in page


def test_the_owner_is_not_told_of_their_own_reopening(client, agent, proposed):
    services.reopen(case=proposed, acting_user=agent, reason="Not yet.", expected_version=None)

    assert "still broken" not in owner_notices(client, agent)


def test_the_customer_reads_what_a_department_finished(client, customer, agent, hardware, hw_agent):
    technician = hw_agent
    case = services.report_case(acting_user=customer, title="Laptop dead", description="No power.")
    case = services.take_ownership(case=case, acting_user=agent, expected_version=case.version)
    handoff = services.request_handoff(
        case=case,
        acting_user=agent,
        department=hardware,
        needed="Check the power supply.",
        customer_summary="testing the power supply",
    )
    services.accept_handoff(handoff=handoff, acting_user=technician)
    services.complete_handoff(
        handoff=handoff,
        acting_user=technician,
        result="PSU swapped; board fine.",
        customer_summary="power supply replaced",
    )
    client.force_login(customer)

    page = client.get(reverse("portal:case", kwargs={"reference": case.reference})).text

    assert "Done by our Hardware team: power supply replaced" in page
    assert "PSU swapped" not in page  # the department's own words stay internal
