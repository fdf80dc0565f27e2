"""An owner warned of a coming delay calls the customer and logs the call from the case
page; the customer sees it on their case."""

import pytest
from playwright.sync_api import expect

from cases.models import CallTask, Case, EntryKind, TimelineEntry
from helpdesk.accounts.models import User
from notifications.sweep import run_sweep
from tests.helpers import browser_sign_in, open_case
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.browser


def test_the_owner_calls_and_the_customer_reads_it(
    page, live_server, policies, agent, customer, time_machine
):
    User.objects.filter(pk=customer.pk).update(phone="+44 20 7946 0958", preferred_contact="phone")
    time_machine.move_to(T0, tick=False)
    case = open_case(agent, customer, "Laptop will not power on", owner=agent)
    run_sweep(now=T0 + 2 * HOUR)  # the owner's early warning, with a call task
    time_machine.move_to(T0 + 2 * HOUR, tick=True)
    assert CallTask.objects.filter(case=case, status="open").exists()

    browser_sign_in(page, live_server, agent.email)
    page.goto(f"{live_server.url}/desk/")
    page.get_by_test_id("calls").get_by_role("link", name=case.reference).click()
    expect(page.get_by_test_id("call-task")).to_contain_text("Call Alex Kim by")
    page.get_by_text("Log a call").click()
    page.get_by_label("What you told each other (the customer reads this)").fill(
        "the battery ships Thursday"
    )
    page.get_by_label("Offered meanwhile (a workaround, a loaner…)").fill("a loaner laptop")
    page.get_by_role("button", name="Log the call").click()

    expect(page.get_by_test_id("call-task")).to_have_count(0)
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.CALL).exists()
    page.get_by_role("button", name="Sign out").click()
    browser_sign_in(page, live_server, customer.email)
    page.goto(f"{live_server.url}/portal/cases/{case.reference}/")
    expect(page.locator("main")).to_contain_text("Dana Lee called you: the battery ships Thursday")
    expect(page.locator("main")).to_contain_text("Offered meanwhile: a loaner laptop")
    assert Case.objects.get(pk=case.pk).quiet_updates == 0
