"""An agent comes in, switches to available in the desk header, and the case that waited
for an owner becomes theirs; the lead then sees the load on the team view."""

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from helpdesk.accounts.models import Department, User
from tests.helpers import browser_sign_in

pytestmark = pytest.mark.browser


def test_becoming_available_takes_the_waiting_case(page, live_server, support, agent, customer):
    support.routing = Department.Routing.AUTOMATIC
    support.save(update_fields=["routing"])
    User.objects.filter(pk=agent.pk).update(availability=User.Availability.OFF)
    waiting = services.report_case(
        acting_user=customer, title="Monitor stays black", description="Since the update."
    )
    assert waiting.owner is None
    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}/desk/team/")
    expect(page.get_by_test_id("waiting")).to_contain_text("Monitor stays black")

    with page.expect_response("**/desk/availability/") as answered:
        page.get_by_label("Your availability").select_option("available")

    assert answered.value.status == 200
    expect(page.get_by_label("Your availability")).to_have_value("available")
    page.reload()
    expect(page.get_by_test_id("waiting")).to_have_count(0)
    expect(page.get_by_test_id("load").first).to_contain_text("1 of 15")
    assert Case.objects.get(pk=waiting.pk).owner == agent
