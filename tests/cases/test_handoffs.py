"""Handoffs: another department does its part while the owner keeps the customer's case.

A handoff never changes the case's status, never closes it and never writes to the
customer; finishing one returns it to the owner. Departments see their open handoffs in
one queue, with everything the customer already told us.
"""

import re

import pytest
from django.db import IntegrityError, transaction

from cases import selectors, services
from cases.models import (
    Case,
    CustomerIdentifier,
    EntryKind,
    Handoff,
    HandoffStatus,
    Status,
    TimelineEntry,
    Visibility,
)
from cases.services.handoffs import (
    accept_handoff,
    cancel_handoff,
    complete_handoff,
    decline_handoff,
    request_handoff,
)
from notifications.models import Notice
from tests.factories import AgentFactory, DepartmentFactory
from tests.helpers import HTMX, desk_url, entries, fresh, open_case, page_text

pytestmark = pytest.mark.django_db


# --- people and cases of this module ------------------------------------------------------


@pytest.fixture
def software(db):
    return DepartmentFactory(name="Software")


@pytest.fixture
def hw_teammate(hardware):
    return AgentFactory(email="hugo@example.test", full_name="Hugo Ng", departments=[hardware])


@pytest.fixture
def sw_agent(software):
    return AgentFactory(email="sky@example.test", full_name="Sky Patel", departments=[software])


def new_owned_case(owner, customer, title="Laptop will not power on") -> Case:
    return open_case(
        owner,
        customer,
        title,
        description="Power supply and battery both fail.",
        identifiers=[
            services.IdentifierInput("Serial number", "5CD1234XYZ"),
            services.IdentifierInput("Customer number", "K-4711"),
        ],
        owner=owner,
    )


@pytest.fixture
def laptop(agent, customer) -> Case:
    """Alex's laptop, owned by Dana (Support)."""
    return new_owned_case(agent, customer)


def ask(case, owner, department, needed="Replace the power supply", summary="") -> Handoff:
    return request_handoff(
        case=case,
        acting_user=owner,
        department=department,
        needed=needed,
        customer_summary=summary,
    )


def handoff_url(handoff: Handoff, action: str) -> str:
    return f"/desk/handoffs/{handoff.pk}/{action}/"


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, f"no #{section_id} on the page"
    return match.group(0)


# --- one owner, one voice ------------------------------------------------------------------


def test_department_cannot_close_customers_case(client, laptop, agent, hw_agent, hardware):
    handoff = ask(laptop, agent, hardware)
    accept_handoff(handoff=handoff, acting_user=hw_agent)
    version = fresh(laptop).version

    with pytest.raises(services.NotAllowed):
        services.close_case(
            case=laptop, acting_user=hw_agent, reason="PSU swapped", expected_version=None
        )
    with pytest.raises(services.NotAllowed):
        services.propose_resolution(
            case=laptop, acting_user=hw_agent, body="Fixed", expected_version=None
        )
    with pytest.raises(services.NotAllowed):
        services.reply_to_customer(case=laptop, acting_user=hw_agent, body="Can I close it?")

    client.force_login(hw_agent)
    close = client.post(
        desk_url(laptop, "close/"), {"version": version, "reason": "PSU swapped"}, headers=HTMX
    )
    propose = client.post(
        desk_url(laptop, "propose/"),
        {"version": version, "body": "Fixed", "cancel_open_handoffs": "1"},
        headers=HTMX,
    )
    reply = client.post(
        desk_url(laptop, "entries/"), {"kind": "reply", "body": "Can I close it?"}, headers=HTMX
    )
    full_page = client.post(desk_url(laptop, "close/"), {"version": version, "reason": "Done"})

    assert close.status_code == 403
    assert "Only the case&#x27;s owner or a manager can close it." in close.text
    assert propose.status_code == 403
    assert "can propose a resolution" in propose.text
    assert reply.status_code == 403
    assert "can write to the customer" in reply.text
    assert full_page.status_code == 403
    case = fresh(laptop)
    assert case.status == Status.OPEN
    assert case.owner == agent
    assert case.closed_at is None
    assert fresh(handoff).status == HandoffStatus.ACCEPTED
    assert not TimelineEntry.objects.filter(case=laptop, actor=hw_agent, visibility="public")


def test_handoff_done_returns_to_owner(client, laptop, agent, hw_agent, hardware):
    handoff = ask(laptop, agent, hardware)
    accept_handoff(handoff=handoff, acting_user=hw_agent)

    complete_handoff(
        handoff=handoff,
        acting_user=hw_agent,
        result="Replaced the power supply; it charges again.",
        customer_summary="power supply replaced",
    )

    notice = Notice.objects.get(recipient=agent, kind="handoff_done")
    assert notice.channel == Notice.Channel.IN_APP
    assert notice.subject == f"Hardware finished its part of {laptop.reference}"
    assert notice.body == "Replaced the power supply; it charges again."
    [done] = entries(laptop, EntryKind.HANDOFF, data__event="done")
    assert done.body == "Replaced the power supply; it charges again."
    assert done.actor == hw_agent
    assert done.department == hardware
    assert done.visibility == Visibility.INTERNAL
    handoff = fresh(handoff)
    assert handoff.status == HandoffStatus.DONE
    assert handoff.finished_at is not None
    assert fresh(laptop).status == Status.OPEN
    assert fresh(laptop).owner == agent

    client.force_login(agent)
    notices = client.get("/desk/notices/")
    page = client.get(desk_url(laptop))
    assert f"Hardware finished its part of {laptop.reference}" in notices.text
    assert "Replaced the power supply; it charges again." in page_text(
        section(page.text, "handoffs")
    )
    timeline = page.text[page.text.index('data-testid="timeline"') :]
    assert "Hardware finished its part" in timeline
    assert "Replaced the power supply; it charges again." in timeline


def test_decline_requires_reason(client, laptop, agent, hw_agent, hardware):
    handoff = ask(laptop, agent, hardware)

    with pytest.raises(services.CaseError, match="Say why"):
        decline_handoff(handoff=handoff, acting_user=hw_agent, reason="   ")
    client.force_login(hw_agent)
    response = client.post(handoff_url(handoff, "decline"), {"reason": ""}, headers=HTMX)
    assert response.status_code == 422
    assert "Say why: the owner has to find another way." in response.text
    assert fresh(handoff).status == HandoffStatus.REQUESTED
    # The database refuses what code might forget.
    with pytest.raises(IntegrityError), transaction.atomic():
        Handoff.objects.filter(pk=handoff.pk).update(status=HandoffStatus.DECLINED)
    assert not Notice.objects.filter(recipient=agent, kind="handoff_declined")

    response = client.post(
        handoff_url(handoff, "decline"),
        {"reason": "Under warranty: Warranty replaces the whole unit."},
        headers=HTMX,
    )

    assert response.status_code == 200
    handoff = fresh(handoff)
    assert handoff.status == HandoffStatus.DECLINED
    assert handoff.decline_reason == "Under warranty: Warranty replaces the whole unit."
    notice = Notice.objects.get(recipient=agent, kind="handoff_declined")
    assert notice.channel == Notice.Channel.IN_APP
    assert notice.subject == f"Hardware declined its part of {laptop.reference}"
    assert notice.body == "Under warranty: Warranty replaces the whole unit."
    [declined] = entries(laptop, EntryKind.HANDOFF, data__event="declined")
    assert declined.body == "Under warranty: Warranty replaces the whole unit."
    assert fresh(laptop).status == Status.OPEN


def test_customer_not_emailed_by_department(
    laptop, agent, customer, hw_agent, sw_agent, hardware, software
):
    texts = [
        "Replace the power supply",
        "Replaced the PSU, serial 77-A",
        "Flash BIOS 1.2.3",
        "Not a software problem: the board is dead",
        "Not needed any more",
    ]
    # Opening and owning the case may well tell the customer; the handoffs must not.
    notices_before = list(Notice.objects.values_list("pk", flat=True))
    story_before = TimelineEntry.objects.filter(case=laptop).order_by("pk").last().pk
    power = ask(laptop, agent, hardware, needed=texts[0], summary="replacing the power supply")
    accept_handoff(handoff=power, acting_user=hw_agent)
    complete_handoff(handoff=power, acting_user=hw_agent, result=texts[1])
    bios = ask(laptop, agent, software, needed=texts[2])
    decline_handoff(handoff=bios, acting_user=sw_agent, reason=texts[3])
    again = ask(laptop, agent, hardware, needed="Check the battery")
    cancel_handoff(handoff=again, acting_user=agent, note=texts[4])

    departments = TimelineEntry.objects.filter(case=laptop, actor__in=[hw_agent, sw_agent])
    assert departments.count() == 3
    assert not departments.filter(visibility=Visibility.PUBLIC)
    assert not TimelineEntry.objects.filter(
        case=laptop, kind=EntryKind.HANDOFF, visibility=Visibility.PUBLIC
    )
    new_notices = Notice.objects.exclude(pk__in=notices_before)
    assert new_notices.exists()  # the owner heard back…
    assert not new_notices.filter(recipient=customer)  # …the customer did not
    assert not new_notices.filter(channel=Notice.Channel.EMAIL)
    seen = TimelineEntry.objects.visible_to(customer).filter(case=laptop)
    assert seen.exists()  # the customer does see the case's public story…
    assert not seen.filter(pk__gt=story_before)  # …but nothing of the departments' work
    assert not seen.filter(kind=EntryKind.HANDOFF)
    for entry in seen:
        for text in texts:
            assert text not in entry.body
    assert fresh(laptop).status == Status.OPEN


def test_department_sees_full_timeline_and_identifiers(
    client, laptop, agent, hw_agent, sw_agent, hardware, software
):
    ask(laptop, agent, hardware, needed="Replace the power supply")
    services.add_internal_note(
        case=laptop, acting_user=sw_agent, body="BIOS 1.2.3 flashed, no change."
    )
    services.add_internal_note(
        case=laptop, acting_user=agent, body="Customer tried another wall socket."
    )
    client.force_login(hw_agent)

    queue = client.get("/desk/queue/")
    row = page_text(section(queue.text, "queue"))
    assert "Serial number: 5CD1234XYZ" in row
    assert "Customer number: K-4711" in row
    link = re.search(r'href="(/desk/cases/C-\d+/)"', queue.text).group(1)
    page = client.get(link)

    assert page.status_code == 200
    identifiers = page_text(re.search(r'data-testid="identifiers".*?</dd>', page.text, re.S)[0])
    assert "Serial number: 5CD1234XYZ" in identifiers
    assert "Customer number: K-4711" in identifiers
    timeline = page_text(page.text[page.text.index('data-testid="timeline"') :])
    assert "Power supply and battery both fail." in timeline  # what the customer said
    assert "BIOS 1.2.3 flashed, no change." in timeline  # Software's internal note
    assert "Sky Patel (Software)" in timeline
    assert "Customer tried another wall socket." in timeline  # the owner's internal note
    assert "Handoff to Hardware requested" in timeline
    assert "Replace the power supply" in timeline


@pytest.mark.parametrize("start", [Status.OPEN, Status.WAITING_ON_CUSTOMER])
@pytest.mark.parametrize(
    "path",
    [
        ["accept", "done"],
        ["accept", "decline"],
        ["accept", "cancel"],
        ["done"],
        ["decline"],
        ["cancel"],
    ],
)
def test_handoff_never_changes_case_status(laptop, agent, hw_agent, hardware, start, path):
    if start == Status.WAITING_ON_CUSTOMER:
        services.wait_on_customer(case=laptop, acting_user=agent, expected_version=None)
    before = fresh(laptop)
    handoff = ask(laptop, agent, hardware)
    assert (fresh(laptop).status, fresh(laptop).version) == (start, before.version)
    steps = {
        "accept": lambda: accept_handoff(handoff=handoff, acting_user=hw_agent),
        "done": lambda: complete_handoff(handoff=handoff, acting_user=hw_agent, result="Done."),
        "decline": lambda: decline_handoff(handoff=handoff, acting_user=hw_agent, reason="No."),
        "cancel": lambda: cancel_handoff(handoff=handoff, acting_user=agent),
    }

    for step in path:
        steps[step]()
        case = fresh(laptop)
        # The status stays and so does the version: the owner's open forms stay valid.
        assert (case.status, case.version, case.owner) == (start, before.version, agent)
        assert case.closed_at is None

    assert not fresh(handoff).is_open
    since = TimelineEntry.objects.filter(
        case=laptop, pk__gte=entries(laptop, EntryKind.HANDOFF)[0].pk
    )
    assert {entry.kind for entry in since} == {EntryKind.HANDOFF}  # no status change entries


def test_propose_with_open_handoffs_needs_confirmation(
    client, laptop, agent, customer, hw_agent, hardware, software
):
    power = ask(laptop, agent, hardware)
    accept_handoff(handoff=power, acting_user=hw_agent)
    bios = ask(laptop, agent, software, needed="Flash the BIOS")

    with pytest.raises(services.OpenHandoffs, match="2 handoffs are still open"):
        services.propose_resolution(
            case=laptop, acting_user=agent, body="New PSU fitted.", expected_version=None
        )
    assert fresh(laptop).status == Status.OPEN
    assert [fresh(h).status for h in (power, bios)] == ["accepted", "requested"]

    services.propose_resolution(
        case=laptop,
        acting_user=agent,
        body="New PSU fitted.",
        expected_version=None,
        cancel_open_handoffs=True,
    )

    assert fresh(laptop).status == Status.PENDING_CONFIRMATION
    assert [fresh(h).status for h in (power, bios)] == ["cancelled", "cancelled"]
    cancelled = entries(laptop, EntryKind.HANDOFF, data__event="cancelled")
    assert [e.data["department"] for e in cancelled] == ["Hardware", "Software"]
    assert {e.body for e in cancelled} == {"Cancelled: the owner proposed a resolution."}

    # The same through the desk: the owner must tick the box.
    printer = new_owned_case(agent, customer, title="Printer jams")
    ask(printer, agent, hardware, needed="Replace the fuser")
    client.force_login(agent)
    page = client.get(desk_url(printer))
    assert "Cancel the open handoffs and propose anyway" in page.text

    refused = client.post(
        desk_url(printer, "propose/"),
        {"version": fresh(printer).version, "body": "Fuser cleaned."},
        headers=HTMX,
    )
    assert refused.status_code == 422
    assert "1 handoff is still open. Confirm to cancel it" in refused.text
    assert fresh(printer).status == Status.OPEN
    assert Handoff.objects.open().filter(case=printer).count() == 1

    confirmed = client.post(
        desk_url(printer, "propose/"),
        {"version": fresh(printer).version, "body": "Fuser cleaned.", "cancel_open_handoffs": "1"},
        headers=HTMX,
    )
    assert confirmed.status_code == 200
    assert fresh(printer).status == Status.PENDING_CONFIRMATION
    assert not Handoff.objects.open().filter(case=printer)
    [note] = entries(printer, EntryKind.HANDOFF, data__event="cancelled")
    assert note.body == "Cancelled: the owner proposed a resolution."


# --- who may do what ------------------------------------------------------------------------


def test_only_department_members_act_on_handoff(
    client, laptop, agent, customer, hw_agent, sw_agent, hardware
):
    handoff = ask(laptop, agent, hardware)

    with pytest.raises(services.NotAllowed, match="Only Hardware can work on this handoff"):
        accept_handoff(handoff=handoff, acting_user=sw_agent)
    with pytest.raises(services.NotAllowed):
        complete_handoff(handoff=handoff, acting_user=agent, result="Done by the owner")
    client.force_login(sw_agent)
    accept = client.post(handoff_url(handoff, "accept"), headers=HTMX)
    done = client.post(handoff_url(handoff, "done"), {"result": "Done"}, headers=HTMX)
    decline = client.post(handoff_url(handoff, "decline"), {"reason": "No"}, headers=HTMX)
    page = client.get(desk_url(laptop))
    client.force_login(customer)
    by_customer = client.post(handoff_url(handoff, "accept"), headers=HTMX)

    assert accept.status_code == 403
    assert "Only Hardware can work on this handoff." in accept.text
    assert done.status_code == 403
    assert decline.status_code == 403
    assert by_customer.status_code == 403
    assert "Mark done" not in page.text  # Software is not offered Hardware's buttons
    client.force_login(sw_agent)
    from_queue = client.post(handoff_url(handoff, "accept"), {"from": "queue"}, follow=True)
    assert from_queue.redirect_chain == [("/desk/queue/", 302)]
    assert "Only Hardware can work on this handoff." in from_queue.text  # said, not dropped
    assert fresh(handoff).status == HandoffStatus.REQUESTED
    assert fresh(handoff).assignee is None

    client.force_login(hw_agent)
    accepted = client.post(handoff_url(handoff, "accept"), headers=HTMX)

    assert accepted.status_code == 200
    handoff = fresh(handoff)
    assert handoff.status == HandoffStatus.ACCEPTED
    assert handoff.assignee == hw_agent
    assert "assigned to Harper Hale" in page_text(accepted.text)


def test_only_owner_or_manager_requests_or_cancels(
    client, laptop, agent, manager, customer, hw_agent, hardware, software
):
    request_data = {"department": software.pk, "needed": "Flash the BIOS"}
    with pytest.raises(services.NotAllowed):
        ask(laptop, hw_agent, software)
    client.force_login(hw_agent)
    page = client.get(desk_url(laptop))
    assert "Request a handoff" not in page.text
    refused = client.post(desk_url(laptop, "handoffs/"), request_data, headers=HTMX)
    assert refused.status_code == 403
    assert "Only the case&#x27;s owner or a manager can request a handoff." in refused.text
    assert not Handoff.objects.filter(case=laptop)

    power = ask(laptop, agent, hardware)
    accept_handoff(handoff=power, acting_user=hw_agent)
    # Not even the department doing the work cancels it: the owner decides.
    cancel = client.post(handoff_url(power, "cancel"), headers=HTMX)
    assert cancel.status_code == 403
    assert fresh(power).status == HandoffStatus.ACCEPTED
    client.force_login(customer)
    assert client.post(desk_url(laptop, "handoffs/"), request_data).status_code == 403
    assert client.post(handoff_url(power, "cancel"), headers=HTMX).status_code == 403

    client.force_login(manager)
    by_manager = client.post(desk_url(laptop, "handoffs/"), request_data, headers=HTMX)
    assert by_manager.status_code == 200
    bios = Handoff.objects.get(case=laptop, department=software)
    assert bios.requested_by == manager
    assert client.post(handoff_url(bios, "cancel"), headers=HTMX).status_code == 200
    client.force_login(agent)
    assert client.post(handoff_url(power, "cancel"), headers=HTMX).status_code == 200

    assert [fresh(h).status for h in (power, bios)] == ["cancelled", "cancelled"]
    assert fresh(laptop).status == Status.OPEN


# --- the department queue ------------------------------------------------------------------


def test_queue_orders_unassigned_then_mine_then_others(
    client, agent, customer, hw_agent, hw_teammate, hardware
):
    theirs = ask(new_owned_case(agent, customer, "Dock"), agent, hardware, needed="Job of Hugo")
    accept_handoff(handoff=theirs, acting_user=hw_teammate)
    mine = ask(new_owned_case(agent, customer, "Screen"), agent, hardware, needed="Job of Harper")
    accept_handoff(handoff=mine, acting_user=hw_agent)
    ask(new_owned_case(agent, customer, "Fan"), agent, hardware, needed="Job for anyone")
    client.force_login(hw_agent)

    queue = page_text(section(client.get("/desk/queue/").text, "queue"))

    assert "3 open handoffs" in queue
    positions = [queue.index(t) for t in ("Job for anyone", "Job of Harper", "Job of Hugo")]
    assert positions == sorted(positions)
    assert "Job for anyone asked by Dana Lee Hardware Unassigned" in queue


def test_queue_shows_only_my_departments(
    client, laptop, agent, customer, hw_agent, sw_agent, hardware, software, parts
):
    ask(laptop, agent, hardware, needed="Replace the power supply")
    ask(laptop, agent, software, needed="Flash the BIOS")
    ask(laptop, agent, parts, needed="Ship a battery")
    finished = ask(laptop, agent, hardware, needed="Check the hinge")
    complete_handoff(handoff=finished, acting_user=hw_agent, result="Hinge fine")
    both = AgentFactory(full_name="Bo Both", departments=[hardware, software])

    client.force_login(hw_agent)
    hw_queue = page_text(section(client.get("/desk/queue/").text, "queue"))
    hw_asks_software = page_text(
        section(client.get(f"/desk/queue/?department={software.pk}").text, "queue")
    )
    client.force_login(sw_agent)
    sw_queue = page_text(section(client.get("/desk/queue/", headers=HTMX).text, "queue"))
    client.force_login(both)
    both_queue = page_text(section(client.get("/desk/queue/").text, "queue"))

    assert "1 open handoff" in hw_queue
    assert "Replace the power supply" in hw_queue
    for other in ("Flash the BIOS", "Ship a battery", "Check the hinge"):
        assert other not in hw_queue
    assert "No open handoffs for your departments." in hw_asks_software
    assert "1 open handoff" in sw_queue
    assert "Flash the BIOS" in sw_queue
    assert "Replace the power supply" not in sw_queue
    assert "2 open handoffs" in both_queue
    assert "Ship a battery" not in both_queue


def test_department_queue_query_count_is_flat(
    client, django_assert_num_queries, agent, customer, hw_agent, hw_teammate, hardware
):
    client.force_login(hw_agent)

    def add_handoffs(count: int) -> None:
        cases = Case.objects.bulk_create(
            Case(
                title=f"Bulk case {n}",
                customer=customer,
                organization=customer.organization,
                status=Status.OPEN,
                owner=agent,
            )
            for n in range(count)
        )
        CustomerIdentifier.objects.bulk_create(
            CustomerIdentifier(case=case, name="Serial number", value=f"SN-{case.pk}")
            for case in cases
        )
        assignees = [None, hw_agent, hw_teammate]
        Handoff.objects.bulk_create(
            Handoff(
                case=case,
                requested_by=agent,
                department=hardware,
                assignee=assignees[n % 3],
                status=HandoffStatus.REQUESTED if n % 3 == 0 else HandoffStatus.ACCEPTED,
                needed=f"Bulk job {n}",
            )
            for n, case in enumerate(cases)
        )

    shown = {}
    for size in (10, 1000):
        add_handoffs(size - Handoff.objects.count())
        with django_assert_num_queries(6):
            page = client.get("/desk/queue/")
        # The fragment reads the agent's departments for the buttons each row offers.
        with django_assert_num_queries(6):
            fragment = client.get("/desk/queue/", headers=HTMX)
        assert page.status_code == fragment.status_code == 200
        assert f"{size} open handoffs" in page_text(fragment.text)
        assert "Serial number: SN-" in page_text(fragment.text)
        shown[size] = page.text.count("Bulk job")
    # A long queue lists its first 100 rows and says how many wait in all.
    assert shown == {10: 10, 1000: 100}
    assert "1000 open handoffs (the first 100 shown)" in page_text(page.text)


# --- where it is now, and how much it bounced ---------------------------------------------------


def test_where_is_it_now_shows_customer_safe_summary(client, laptop, agent, hw_agent, hardware):
    client.force_login(agent)
    before = page_text(section(client.get(desk_url(laptop)).text, "handoffs"))
    assert "With the owner, Dana Lee: no department is working on it." in before

    handoff = ask(
        laptop,
        agent,
        hardware,
        needed="PSU reads 0V on pin 3; replace it and test under load",
        summary="replacing the power supply",
    )
    where = page_text(section(client.get(desk_url(laptop)).text, "handoffs"))

    assert "Where it is now" in where
    assert "With Hardware: replacing the power supply" in where
    assert "Requested" in where

    complete_handoff(handoff=handoff, acting_user=hw_agent, result="New PSU fitted")
    after = page_text(section(client.get(desk_url(laptop)).text, "handoffs"))
    assert "With Hardware" not in after
    assert "no department is working on it" in after
    assert "Done Hardware: New PSU fitted" in after  # under "Finished handoffs"


def test_bounce_flag(client, agent, manager, customer, hw_agent, sw_agent, hardware, software):
    def stats(case):
        case.refresh_from_db()  # the services changed it through their own copy
        return selectors.bounce_stats(case, selectors.case_handoffs(case))

    # A → B → A: the owner comes back.
    ping_pong = new_owned_case(agent, customer, "Ping pong")
    services.transfer_ownership(
        case=ping_pong, acting_user=agent, to=hw_agent, reason="PSU", expected_version=None
    )
    services.transfer_ownership(
        case=ping_pong, acting_user=hw_agent, to=agent, reason="Not PSU", expected_version=None
    )
    # A declined handoff sent again to the same department.
    resent = new_owned_case(agent, customer, "Resent")
    declined = ask(resent, agent, hardware)
    decline_handoff(handoff=declined, acting_user=hw_agent, reason="Need the serial first")
    ask(resent, agent, hardware)
    # A straight path: one transfer onward and one handoff to each department.
    straight = new_owned_case(agent, customer, "Straight")
    services.transfer_ownership(
        case=straight, acting_user=agent, to=hw_agent, reason="PSU", expected_version=None
    )
    ask(straight, hw_agent, software)
    ask(straight, hw_agent, hardware, needed="Fit the new PSU")

    assert stats(ping_pong).bounced is True
    assert stats(ping_pong).ownership_changes == 2
    assert stats(ping_pong).owner_path == ["Support", "Hardware", "Support"]
    assert stats(resent).bounced is True
    assert (stats(resent).handoffs, stats(resent).declines) == (2, 1)
    assert stats(straight).bounced is False
    assert stats(straight).ownership_changes == 1
    assert stats(straight).owner_path == ["Support", "Hardware"]
    assert stats(straight).handoffs == 2

    client.force_login(manager)
    for case, shown in ((ping_pong, True), (resent, True), (straight, False)):
        bounce = page_text(
            re.search(r'data-testid="bounce".*?</p>', client.get(desk_url(case)).text, re.S)[0]
        )
        assert ("Bounced" in bounce) is shown, case.title
    straight_page = page_text(client.get(desk_url(straight)).text)
    assert "Ownership changes: 1 · Handoffs: 2 · Declined: 0" in straight_page
    assert "Owners: Support → Hardware" in straight_page


def test_case_inherited_within_its_department_is_not_a_bounce(agent, manager, customer, support):
    lead = AgentFactory(full_name="Lee Lead", departments=[support])
    support.lead = lead
    support.save()
    case = new_owned_case(agent, customer)
    services.deactivate_agent(agent=agent, acting_user=manager)  # Dana → Lee, Support's lead
    colleague = AgentFactory(full_name="Cam Cole", departments=[support])
    services.transfer_ownership(
        case=case, acting_user=lead, to=colleague, reason="Cam knows laptops", expected_version=None
    )

    case.refresh_from_db()  # the services changed it through their own copy
    stats = selectors.bounce_stats(case, selectors.case_handoffs(case))

    assert stats.ownership_changes == 2
    assert stats.owner_path == ["Support"]
    assert stats.bounced is False


def test_department_hears_of_a_new_handoff(laptop, agent, hw_agent, hw_teammate, hardware):
    hardware.lead = hw_teammate
    hardware.save()

    to_department = ask(laptop, agent, hardware, needed="Replace the power supply")
    to_person = request_handoff(
        case=laptop, acting_user=agent, department=hardware, needed="Check", assignee=hw_agent
    )

    lead_notice = Notice.objects.get(recipient=hw_teammate, kind="handoff_requested")
    assert lead_notice.channel == Notice.Channel.IN_APP
    assert lead_notice.subject == f"Dana Lee asks Hardware: {laptop.reference}"
    assert lead_notice.body == "Replace the power supply"
    assert Notice.objects.get(recipient=hw_agent, kind="handoff_requested").body == "Check"
    assert [h.assignee for h in (to_department, to_person)] == [None, hw_agent]
    with pytest.raises(services.CaseError, match="not an active member of Hardware"):
        request_handoff(
            case=laptop, acting_user=agent, department=hardware, needed="x", assignee=agent
        )


def test_closing_cancels_open_handoffs(client, laptop, agent, hw_agent, hardware):
    handoff = ask(laptop, agent, hardware, summary="replacing the power supply")
    accept_handoff(handoff=handoff, acting_user=hw_agent)

    services.close_case(
        case=laptop, acting_user=agent, reason="Duplicate of C-9", expected_version=None
    )

    assert fresh(laptop).status == Status.CLOSED
    assert fresh(handoff).status == HandoffStatus.CANCELLED
    [note] = entries(laptop, EntryKind.HANDOFF, data__event="cancelled")
    assert note.body == "Cancelled: the case was closed."
    client.force_login(hw_agent)
    queue = page_text(section(client.get("/desk/queue/").text, "queue"))
    assert "No open handoffs for your departments." in queue
    where = page_text(section(client.get(desk_url(laptop)).text, "handoffs"))
    assert "With Hardware" not in where


def test_confirmed_case_keeps_no_open_handoffs(client, laptop, agent, customer, hardware):
    services.propose_resolution(
        case=laptop, acting_user=agent, body="New PSU fitted.", expected_version=None
    )
    ask(laptop, agent, hardware, needed="Collect the old PSU for analysis")

    services.confirm_resolution(case=laptop, acting_user=customer, expected_version=None)

    assert fresh(laptop).status == Status.CLOSED
    assert not Handoff.objects.open().filter(case=laptop)
