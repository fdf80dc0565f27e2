"""Demo data: the people, organisations and departments that replay DESIGN.md's stories.

Every function is idempotent: rows are looked up by a natural key and created only when
missing, so a second run changes nothing.
"""

from django.db import transaction

from helpdesk.accounts.models import Department, Organization, User

DEMO_PASSWORD = "demo"

ORGANIZATIONS = [
    ("Acme", Organization.Tier.PREMIUM),
    ("Globex", Organization.Tier.STANDARD),
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
        name: Organization.objects.get_or_create(name=name, defaults={"sla_tier": tier})[0]
        for name, tier in ORGANIZATIONS
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
