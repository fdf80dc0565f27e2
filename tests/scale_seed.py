"""The scale-out proof's data, written and read with the ORM in a process of its own that
points at the proof's database (the test process keeps its own test database):

    python -m tests.scale_seed people     # the department, agents, customers, policies
    python -m tests.scale_seed late       # owned cases whose SLA steps are due now
    python -m tests.scale_seed figures    # what the stack did, counted from the rows

Each prints one JSON document on stdout. Everyone's password is tests.factories.PASSWORD.
"""

import json
import sys
from collections import Counter
from datetime import timedelta

import django

AGENTS = 3
CUSTOMERS = 4
# Owned cases opened so long ago on the normal policy (first response in 4 h, the owner
# warned 2 h and the customer told 1 h before it) that one sweep finds their steps due:
# 3h01m ago the warning and the delay notice; 4h01m ago the breach as well.
LATE = {
    "due soon": (5, timedelta(hours=3, minutes=1)),
    "breached": (5, timedelta(hours=4, minutes=1)),
}


def people() -> dict:
    from tests.factories import (
        PASSWORD,
        AgentFactory,
        CustomerFactory,
        DepartmentFactory,
        OrganizationFactory,
    )
    from tests.sla.seed import create_policies

    create_policies()
    support = DepartmentFactory(name="Support")
    acme = OrganizationFactory(name="Acme")
    agents = [
        AgentFactory(email=f"agent{n}@scale.test", full_name=f"Agent {n}", departments=[support])
        for n in range(AGENTS)
    ]
    customers = [
        CustomerFactory(
            email=f"customer{n}@scale.test", full_name=f"Customer {n}", organization=acme
        )
        for n in range(CUSTOMERS)
    ]
    return {
        "agents": [agent.email for agent in agents],
        "customers": [customer.email for customer in customers],
        "password": PASSWORD,
    }


def late() -> dict:
    from helpdesk.accounts.models import User
    from tests.helpers import backdate, open_case

    agents = list(User.objects.filter(role=User.Role.AGENT).order_by("pk"))
    customers = list(User.objects.filter(role=User.Role.CUSTOMER).order_by("pk"))
    cases = {}
    for label, (count, age) in LATE.items():
        for n in range(count):
            owner = agents[n % len(agents)]
            case = open_case(
                owner, customers[n % len(customers)], f"Printer {label} {n}", owner=owner
            )
            cases[backdate(case, age).reference] = label
    return {"cases": cases}


def figures(load_refs: list[str], late_refs: list[str]) -> dict:
    """Everything the assertions need, counted from the rows, by case reference."""
    from cases.models import Case, EntryKind, SLAEvent, TimelineEntry
    from cases.models.case import parse_reference
    from notifications.models import Notice

    refs = {parse_reference(reference): reference for reference in load_refs + late_refs}
    late_ids = [pk for pk, reference in refs.items() if reference in late_refs]
    emails = Notice.objects.filter(channel=Notice.Channel.EMAIL)
    sent = emails.filter(status=Notice.Status.SENT)
    entries = Counter(TimelineEntry.objects.filter(case__in=refs).values_list("case", "kind"))
    kinds = [
        EntryKind.CASE_OPENED,
        EntryKind.OWNERSHIP_CHANGE,
        EntryKind.STATUS_CHANGE,
        EntryKind.AGENT_REPLY,
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.SLA_WARNING,
        EntryKind.DELAY_NOTICE,
        EntryKind.SLA_BREACHED,
    ]
    sla_kinds = [Notice.Kind.SLA_WARNING, Notice.Kind.DELAY_NOTICE]
    sla_notices = Counter(
        emails.filter(case__in=late_ids, kind__in=sla_kinds).values_list("case", "kind")
    )
    return {
        "email_notices": emails.count(),
        "by_status": dict(Counter(emails.values_list("status", flat=True))),
        # One message per email that left: a notice merged into another went inside it.
        "messages_expected": sorted(
            sent.filter(merged_into__isnull=True).values_list("message_id", flat=True)
        ),
        "merged": sent.filter(merged_into__isnull=False).count(),
        "sent_again": sent.filter(attempts__gt=1).count(),
        "entries": {
            reference: {kind: entries[(pk, kind)] for kind in kinds}
            for pk, reference in refs.items()
        },
        "owners": {
            refs[pk]: email
            for pk, email in Case.objects.filter(pk__in=refs).values_list("pk", "owner__email")
        },
        "sla_events": dict(
            Counter(SLAEvent.objects.filter(case__in=late_ids).values_list("step", flat=True))
        ),
        "sla_notices": {
            refs[pk]: {kind: sla_notices[(pk, kind)] for kind in sla_kinds} for pk in late_ids
        },
    }


def main(argv: list[str]) -> None:
    django.setup()
    command = argv[0]
    if command == "people":
        result = people()
    elif command == "late":
        result = late()
    else:
        refs = json.loads(sys.stdin.read())
        result = figures(refs["load"], refs["late"])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
