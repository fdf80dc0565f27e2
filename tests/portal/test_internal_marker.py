"""What staff write for staff never reaches the customer: internal notes, what a handoff
needs, why it was declined or how it was done, why a case was transferred. A marker in all
of them must show up on no portal page or fragment and in no email to the customer, while
the case lives through replies, handoffs, delay notices, proposals, a reopen and a close."""

from datetime import timedelta

import pytest

from cases import services
from cases.models import Handoff, Status
from cases.services import handoffs, promises
from notifications.models import Notice
from notifications.sweep import run_sweep
from tests.factories import DepartmentFactory
from tests.helpers import HTMX, deliver_due_email, desk_url, email_text, fresh, mail_to, portal_url
from tests.sla.seed import HOUR, T0, create_policies

pytestmark = pytest.mark.django_db

MARKER = "ZX-INTERNAL-7d41"


def test_internal_marker_never_in_portal_or_customer_mail(
    client, time_machine, customer, agent, manager
):
    create_policies()
    hardware = DepartmentFactory(name="Hardware")
    parts = DepartmentFactory(name="Parts")
    warranty = DepartmentFactory(name="Warranty")
    client.force_login(customer)
    seen: list[str] = []  # every portal response Alex got

    def at(moment) -> None:
        time_machine.move_to(moment, tick=False)

    def look(case) -> None:
        """Alex reads everything the portal offers about the case; each must answer 200."""
        requests = [
            ("/portal/", {}, {}),
            (portal_url(case), {}, {}),
            (portal_url(case, "timeline/"), {"after": "0"}, HTMX),
            (portal_url(case, "timeline/"), {"before": "99999999"}, HTMX),
            ("/portal/cases/similar/", {"title": "laptop power battery"}, HTMX),
        ]
        for url, params, headers in requests:
            response = client.get(url, params, headers=headers)
            assert response.status_code == 200, url
            seen.append(response.content.decode())

    def deliver_everything(moment) -> None:
        at(moment)
        deliver_due_email()

    at(T0)
    case = services.report_case(
        acting_user=customer,
        title="Laptop will not power on",
        description="Power supply and battery both fail.",
    )
    services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.add_internal_note(case=case, acting_user=agent, body=f"Note: {MARKER} in the BIOS.")
    services.transfer_ownership(
        case=case,
        acting_user=agent,
        to=manager,
        reason=f"Escalating {MARKER}",
        expected_version=None,
    )
    services.transfer_ownership(
        case=case,
        acting_user=manager,
        to=agent,
        reason=f"Back to you {MARKER}",
        expected_version=None,
    )
    psu = handoffs.request_handoff(
        case=case,
        acting_user=agent,
        department=hardware,
        needed=f"Replace the PSU; {MARKER} reads 0 V on pin 3",
        customer_summary="replacing the power supply",
    )
    handoffs.accept_handoff(handoff=psu, acting_user=manager)
    battery = handoffs.request_handoff(
        case=case, acting_user=agent, department=parts, needed=f"Ship a battery {MARKER}"
    )
    handoffs.decline_handoff(
        handoff=battery, acting_user=manager, reason=f"Out of stock {MARKER} until May"
    )
    bios = handoffs.request_handoff(
        case=case,
        acting_user=agent,
        department=warranty,
        needed=f"Check the warranty {MARKER}",
        customer_summary="checking your warranty",
    )
    handoffs.complete_handoff(
        handoff=bios,
        acting_user=manager,
        result=f"Covered until 2026 {MARKER}",
        customer_summary="warranty confirmed",
    )
    look(case)
    page = seen[1]
    assert "With our Hardware team: replacing the power supply" in page
    assert "Your case is owned by <strong>Dana Lee</strong>, Support." in page

    at(T0 + HOUR / 2)
    services.reply_to_customer(case=case, acting_user=agent, body="We are looking at it.")
    deliver_everything(T0 + HOUR / 2)

    # The sweep warns Dana (internal) and, before the resolution deadline, tells Alex.
    for hours in (10, 11, 12):
        at(T0 + hours * HOUR)
        run_sweep(now=T0 + hours * HOUR)
        deliver_everything(T0 + hours * HOUR)
    look(case)

    at(T0 + 12 * HOUR + 20 * timedelta(minutes=1))
    promises.send_delay_notice(
        case=fresh(case),
        acting_user=agent,
        message="The new power supply arrives tomorrow.",
        new_eta=T0 + 36 * HOUR,
    )
    deliver_everything(T0 + 12 * HOUR + 20 * timedelta(minutes=1))

    at(T0 + 14 * HOUR)
    services.propose_resolution(
        case=fresh(case),
        acting_user=agent,
        body="We replaced the power supply.",
        expected_version=None,
        cancel_open_handoffs=True,
    )
    deliver_everything(T0 + 14 * HOUR)
    look(case)
    response = client.post(
        portal_url(case, "still-broken/"), {"body": "It still dies on battery."}, headers=HTMX
    )
    assert response.status_code == 200
    seen.append(response.content.decode())
    services.add_internal_note(case=case, acting_user=agent, body=f"Again {MARKER}.")

    at(T0 + 16 * HOUR)
    services.propose_resolution(
        case=fresh(case), acting_user=agent, body="New battery fitted.", expected_version=None
    )
    deliver_everything(T0 + 16 * HOUR)
    look(case)

    # Silence: one reminder, then the case closes by itself.
    for days in (3, 7):
        moment = T0 + 16 * HOUR + timedelta(days=days)
        at(moment)
        run_sweep(now=moment)
        deliver_everything(moment)
    assert fresh(case).status == Status.CLOSED
    look(case)
    response = client.post(portal_url(case, "rate/"), {"rating": "3"}, headers=HTMX)
    assert response.status_code == 200
    seen.append(response.content.decode())
    deliver_everything(T0 + timedelta(days=30))

    # The marker is in the system, where staff read it...
    client.force_login(agent)
    assert MARKER in client.get(desk_url(case)).content.decode()
    assert Handoff.objects.filter(needed__contains=MARKER).count() == 3

    # ...and nowhere the customer looks.
    assert len(seen) >= 27
    for body in seen:
        assert MARKER not in body
    customer_notices = Notice.objects.filter(recipient=customer)
    assert customer_notices.count() >= 6
    for notice in customer_notices:
        assert MARKER not in notice.subject
        assert MARKER not in notice.body
    alex_mail = mail_to(customer)
    everything = "\n".join(email_text(message) for message in alex_mail)
    assert MARKER not in everything
    # Not vacuous: Alex did hear of each step.
    for words in [
        "We are looking at it.",
        "will take longer than we promised",
        "With our Hardware team: replacing the power supply",
        "The new power supply arrives tomorrow.",
        "We replaced the power supply.",
        "This is the only reminder we send.",
        "We closed your case",
    ]:
        assert words in everything, words
    assert not Notice.objects.filter(recipient=customer, status=Notice.Status.PENDING).exists()
