"""Demo people, organisations, departments and SLA policies."""

from datetime import timedelta

from django.db import transaction

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
