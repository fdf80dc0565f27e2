"""Demo data: the people, organisations and departments that replay DESIGN.md's stories.

Every function is idempotent: rows are looked up by a natural key and created only when
missing, so a second run changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from helpdesk.accounts.models import Department, Organization, User

DEMO_PASSWORD = "demo"

ORGANIZATIONS = [
    ("Acme", Organization.Tier.PREMIUM, "acme.test"),
    ("Globex", Organization.Tier.STANDARD, "globex.test"),
]

DEPARTMENTS = ["Support", "Software", "Hardware", "Parts", "Warranty"]

# (email, full name, role, organisation or departments, lead of)
PEOPLE = [
    ("manager@demo.test", "Morgan Reyes", User.Role.MANAGER, ["Support"], "Support"),
    ("agent@demo.test", "Dana Lee", User.Role.AGENT, ["Support"], None),
    ("hardware@demo.test", "Sam Okafor", User.Role.AGENT, ["Hardware"], "Hardware"),
    ("software@demo.test", "Priya Nair", User.Role.AGENT, ["Software"], "Software"),
    ("parts@demo.test", "Lena Vogel", User.Role.AGENT, ["Parts"], "Parts"),
    ("warranty@demo.test", "Tomás Ruiz", User.Role.AGENT, ["Warranty"], "Warranty"),
    ("customer@demo.test", "Alex Kim", User.Role.CUSTOMER, "Acme", None),
    ("other@demo.test", "Jordan Blake", User.Role.CUSTOMER, "Globex", None),
]


@transaction.atomic
def seed_people() -> dict[str, User]:
    organizations = {
        name: Organization.objects.get_or_create(
            name=name, defaults={"sla_tier": tier, "email_domains": domains}
        )[0]
        for name, tier, domains in ORGANIZATIONS
    }
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    people: dict[str, User] = {}
    for email, full_name, role, belongs_to, lead_of in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name, role=role)
            if role == User.Role.CUSTOMER:
                user.organization = organizations[belongs_to]
            user.is_staff = role == User.Role.MANAGER
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role != User.Role.CUSTOMER:
                user.departments.set([departments[name] for name in belongs_to])
        people[email] = user
        if lead_of and departments[lead_of].lead_id is None:
            departments[lead_of].lead = user
            departments[lead_of].save(update_fields=["lead"])
    return people


def demo_logins() -> list[tuple[str, str]]:
    """(email, what the login is for), for `make run` to print."""
    described = []
    for email, _name, role, belongs_to, _lead in PEOPLE:
        where = belongs_to if isinstance(belongs_to, str) else ", ".join(belongs_to)
        described.append((email, f"{role.label} · {where}"))
    return described


# --- SLA policies ----------------------------------------------------------------------------


@transaction.atomic
def seed_sla() -> None:
    """Urgent runs on a 24x7 calendar, the rest on weekday office hours."""
    from datetime import time

    from cases.models import BusinessCalendar, BusinessHours, Priority, SLAPolicy

    always, created = BusinessCalendar.objects.get_or_create(
        name="24x7", defaults={"time_zone": "UTC"}
    )
    if created:
        for weekday in range(7):
            BusinessHours.objects.create(
                calendar=always, weekday=weekday, start=time(0), end=time(0)
            )
    office, created = BusinessCalendar.objects.get_or_create(
        name="Office hours", defaults={"time_zone": "Europe/London"}
    )
    if created:
        for weekday in range(5):
            BusinessHours.objects.create(
                calendar=office, weekday=weekday, start=time(9), end=time(17)
            )
    hours = timedelta(hours=1)
    for priority, calendar, first, update, resolution, warn, notify in [
        (Priority.URGENT, always, 1 * hours, 2 * hours, 8 * hours, 1 * hours, hours / 2),
        (Priority.HIGH, office, 2 * hours, 4 * hours, 16 * hours, 4 * hours, 1 * hours),
        (Priority.NORMAL, office, 4 * hours, 8 * hours, 24 * hours, 4 * hours, 1 * hours),
        (Priority.LOW, office, 8 * hours, 16 * hours, 40 * hours, 4 * hours, 1 * hours),
    ]:
        SLAPolicy.objects.get_or_create(
            priority=priority,
            tier="",
            defaults={
                "name": f"{Priority(priority).label} (any tier)",
                "calendar": calendar,
                "first_response": first,
                "update_interval": update,
                "resolution": resolution,
                "warn_owner_lead": warn,
                "notify_customer_lead": notify,
            },
        )


def _backdate(case, *, hours: float) -> None:
    """Demo only: pretend the case was opened earlier, so its clocks are near a deadline
    whatever the hour the demo starts."""
    from cases import clocks
    from cases.models import Case

    case = Case.objects.get(pk=case.pk)
    case.created = timezone.now() - timedelta(hours=hours)
    fields = clocks.refresh_clocks(case)
    case.save(update_fields=["created", *fields])


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

    _seed_outage(people)

    # The delay: an urgent case close to its deadline, and one already past it.
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
        _backdate(case, hours=1.5)

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


OUTAGE_REPORTS = [
    ("Initech", "it@initech.test", "Initech IT desk",
     "Web program shows an error after sign in",
     "Our staff get an error page right after signing in to the web program since last week."),
    ("Umbrella", "ops@umbrella.test", "Umbrella operations",
     "Sign-in to the web program fails with error 500",
     "Every sign in to the web program ends on an internal server error (500)."),
]  # fmt: skip


def _seed_outage(people: dict[str, User]) -> None:
    """The outage: four organisations' cases, one incident caused by a release two weeks
    ago, and a fifth report still in triage for the detector to match."""
    from cases import services
    from cases.models import Case, Incident, Priority
    from cases.services import incidents

    title = "Sign-in errors in the web program after release 4.2"
    if Incident.objects.filter(title=title).exists():
        return
    agent, manager = people["agent@demo.test"], people["manager@demo.test"]
    customers = []
    for org_name, email, full_name, case_title, description in OUTAGE_REPORTS:
        org, _ = Organization.objects.get_or_create(name=org_name)
        customer = User.objects.filter(email=email).first()
        if customer is None:
            customer = User.objects.create_user(email, None, full_name=full_name, organization=org)
        customers.append((customer, case_title, description))
    linked = [
        Case.objects.get(title__startswith="Our web program stopped working"),
    ]
    globex = services.open_case(
        acting_user=agent,
        customer=people["other@demo.test"],
        title="Customers see an error page after signing in to the web program",
        description="Since this morning our customers get an error page after sign in.",
        priority=Priority.HIGH,
    )
    linked.append(services.take_ownership(case=globex, acting_user=agent, expected_version=None))
    for customer, case_title, description in customers:
        case = services.open_case(
            acting_user=agent,
            customer=customer,
            title=case_title,
            description=description,
            priority=Priority.HIGH,
        )
        linked.append(services.take_ownership(case=case, acting_user=agent, expected_version=None))
    incident = incidents.open_incident(
        acting_user=manager,
        title=title,
        public_summary=(
            "Since release 4.2, signing in to the web program can end on an error page. "
            "We found the cause and are preparing a fix."
        ),
        cause="Release 4.2",
        cause_date=(timezone.now() - timedelta(days=14)).date(),
        cases=linked,
    )
    update = incidents.post_update(
        incident=incident,
        acting_user=manager,
        body=(
            "We have identified the cause: a change in release 4.2 to how sessions are "
            "stored. A fix is being tested; we expect to deploy it today."
        ),
        public=True,
        status="identified",
    )
    incidents.fan_out(update.pk)
    # A fifth report, still in triage: the case page matches it to the incident.
    services.open_case(
        acting_user=agent,
        customer=customers[0][0],
        title="Error page after login in the web program",
        description="A second department at Initech now gets the error page after login too.",
        priority=Priority.NORMAL,
    )
