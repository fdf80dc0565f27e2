"""The demo cases: the stories of DESIGN.md (the laptop, the leak, the delay) and a
few unowned cases for triage."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cases.demo.outage import seed_outage
from helpdesk.accounts.models import Department, User


def _backdate(case, *, hours: float) -> None:
    """Demo only: pretend the case was opened earlier, so its clocks are near a deadline
    whatever the hour the demo starts."""
    from cases import clocks
    from cases.models import Case

    case = Case.objects.get(pk=case.pk)
    case.created = timezone.now() - timedelta(hours=hours)
    fields = clocks.refresh_clocks(case)
    case.save(update_fields=["created", *fields])


def _tomorrow_at(hour: int):
    tomorrow = timezone.localtime() + timedelta(days=1)
    return tomorrow.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- demo cases: the stories of DESIGN.md ------------------------------------------------


def _story(title: str, customer: User):
    from cases.models import Case

    return Case.objects.filter(title=title, customer=customer).first()


@transaction.atomic
def seed_cases(people: dict[str, User]) -> None:
    """The laptop, the outage and the leak, plus a few unowned new cases for triage."""
    from cases import services
    from cases.models import Priority
    from cases.services import IdentifierInput, handoffs

    agent = people["agent@demo.test"]
    manager = people["manager@demo.test"]
    hardware = people["hardware@demo.test"]
    software = people["software@demo.test"]
    parts = people["parts@demo.test"]
    customer = people["customer@demo.test"]
    other = people["other@demo.test"]

    title = "Laptop does not power on: power supply and battery failures"
    if _story(title, customer) is None:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=title,
            description=(
                "My laptop shuts down within minutes on battery and will not charge. "
                "It started after the last BIOS update."
            ),
            priority=Priority.HIGH,
            identifiers=[
                IdentifierInput("Customer number", "ACME-20931"),
                IdentifierInput("Serial number", "5CD1234XYZ"),
                IdentifierInput("Previous problem ID", "PRB-7781"),
            ],
        )
        case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
        services.reply_to_customer(
            case=case,
            acting_user=agent,
            body=(
                "I'm Dana from Support and I own your case until your laptop works. "
                "I have your customer number and serial on file; nobody will ask again."
            ),
        )
        departments = {d.name: d for d in Department.objects.all()}
        bios = handoffs.request_handoff(
            case=case,
            acting_user=agent,
            department=departments["Software"],
            needed="BIOS 1.14 on this serial is known to break charging; please update it.",
            customer_summary="updating the laptop's BIOS",
        )
        handoffs.accept_handoff(handoff=bios, acting_user=software)
        handoffs.complete_handoff(
            handoff=bios,
            acting_user=software,
            result="BIOS reflashed from 1.14 to 1.16 (charging controller fix).",
            customer_summary="BIOS updated",
        )
        power = handoffs.request_handoff(
            case=case,
            acting_user=agent,
            department=departments["Hardware"],
            needed="Test the power supply; the unit dies within minutes on battery.",
            customer_summary="testing the power supply",
        )
        handoffs.accept_handoff(handoff=power, acting_user=hardware)
        handoffs.complete_handoff(
            handoff=power,
            acting_user=hardware,
            result="Power supply faulty (19V rail at 12V). Replaced.",
            customer_summary="power supply replaced",
        )
        battery = handoffs.request_handoff(
            case=case,
            acting_user=agent,
            department=departments["Parts"],
            needed="Ship a replacement 45Wh battery for serial 5CD1234XYZ.",
            customer_summary="replacement battery ordered",
            due=timezone.now() + timedelta(days=3),
        )
        handoffs.accept_handoff(handoff=battery, acting_user=parts)
        # Warranty first bounces it back, the way departments used to; the owner fixes
        # what was missing and asks again, so the case shows in the bounce report.
        warranty_check = handoffs.request_handoff(
            case=case,
            acting_user=agent,
            department=departments["Warranty"],
            needed="Confirm warranty cover for the battery and power supply replacement.",
            customer_summary="checking your warranty",
        )
        handoffs.decline_handoff(
            handoff=warranty_check,
            acting_user=people["warranty@demo.test"],
            reason="We need the order ID of the purchase to check the cover.",
        )
        services.add_identifier(
            case=case, acting_user=agent, name="Order ID", value="SO-2024-55310"
        )
        handoffs.request_handoff(
            case=case,
            acting_user=agent,
            department=departments["Warranty"],
            needed="Order ID is now on the case. Confirm warranty cover for battery and PSU.",
            customer_summary="checking your warranty",
            due=timezone.now() + timedelta(days=5),
        )
        services.reply_to_customer(
            case=case,
            acting_user=agent,
            body=(
                "Update: the BIOS is updated and the power supply replaced. A new battery "
                "ships Thursday under warranty. I'll write again when it is fitted."
            ),
        )

    title = "Our web program stopped working: customers cannot sign in"
    if _story(title, customer) is None:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=title,
            description=(
                "Since this morning our customers get an error page after signing in to "
                "the web program. Nothing changed on our server."
            ),
            priority=Priority.URGENT,
            identifiers=[IdentifierInput("Contract number", "ACME-WEB-01")],
        )
        case = services.take_ownership(case=case, acting_user=manager, expected_version=None)
        services.add_internal_note(
            case=case,
            acting_user=software,
            body="Globex reports the same symptom. Both started after release 4.2.",
        )
        services.wait_on_customer(
            case=case,
            acting_user=manager,
            expected_version=None,
            message="Could you send the time of the first error and a screenshot?",
        )

    title = "Water on the kitchen floor"
    if _story(title, other) is None:
        case = services.open_case(
            acting_user=agent,
            customer=other,
            title=title,
            description="There is water on the kitchen floor every morning, near the fridge.",
            priority=Priority.HIGH,
            identifiers=[IdentifierInput("Address", "Flat 4, 12 Harbour Street")],
        )
        case = services.take_ownership(case=case, acting_user=hardware, expected_version=None)
        services.add_internal_note(
            case=case, acting_user=hardware, body="Plumber visit: the fridge's drain is leaking."
        )
        services.reply_to_customer(
            case=case,
            acting_user=hardware,
            body="The plumber found the fridge leaking. A new fridge is ordered; I'll tell you "
            "the delivery date as soon as I have it.",
        )
        services.propose_resolution(
            case=case,
            acting_user=hardware,
            body="The new fridge was delivered and installed on Tuesday. Is the floor dry now?",
            expected_version=None,
        )

    seed_outage(people)

    # The delay, told the way the product means it: the customer hears before the deadline.
    # The owner of the payment case has already written with a new estimate; the VPN case's
    # first response is due soon, and the sweep tells its customer automatically on its
    # first run (`make run` starts it), before the deadline passes.
    title = "Card payments fail at checkout"
    if _story(title, customer) is None:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=title,
            description="Every card payment in our shop fails with 'gateway timeout'.",
            priority=Priority.URGENT,
            identifiers=[IdentifierInput("Order ID", "SO-88412")],
        )
        case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
        services.reply_to_customer(
            case=case,
            acting_user=agent,
            body="We see the timeouts too and are working with the payment provider.",
        )
        _backdate(case, hours=7.25)
        services.send_delay_notice(
            case=case,
            acting_user=agent,
            message=(
                "The payment provider needs until tomorrow morning to replace the failing "
                "gateway. Until then, payments by bank transfer and PayPal work as usual."
            ),
            new_eta=_tomorrow_at(10),
        )
    title = "Branch office VPN is down"
    if _story(title, other) is None:
        case = services.open_case(
            acting_user=agent,
            customer=other,
            title=title,
            description="Nobody in the branch office can reach the VPN since this morning.",
            priority=Priority.URGENT,
        )
        services.take_ownership(case=case, acting_user=manager, expected_version=None)
        # First response due in 25 minutes: inside the window where the customer is told.
        _backdate(case, hours=35 / 60)

    for who, title, description, priority in [
        (customer, "Invoice PDF will not open", "The invoice for October shows a blank page.",
         Priority.NORMAL),
        (other, "Password reset email never arrives", "I asked three times since yesterday.",
         Priority.HIGH),
        (customer, "Docking station: external monitor flickers",
         "The second monitor flickers every few seconds.", Priority.LOW),
    ]:  # fmt: skip
        if _story(title, who) is None:
            services.open_case(
                acting_user=agent,
                customer=who,
                title=title,
                description=description,
                priority=priority,
            )
