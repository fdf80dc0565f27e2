"""The bench's data, seeded in bulk and resumable: its people, and N cases of the
organisation "Bench" generated in the database one batch at a time, each with its
history (see `history.py`). A second run only adds what is missing."""

import time

from django.db import connection, transaction

from cases import demo
from cases.models import Case
from helpdesk.accounts.models import Department, Organization, User

from .history import write_history

BATCH = 50_000
# One case in 200 is new and unowned, waiting in triage (5,000 of a million), as a desk
# with manual routing holds them.
TRIAGE_EVERY = 200
ANALYZED = ["cases_case", "cases_timelineentry", "cases_slaevent", "cases_promise",
            "cases_satisfaction", "notifications_notice"]  # fmt: skip


def person(email: str, **fields) -> User:
    found = User.objects.filter(email=email).first()
    return found or User.objects.create_user(email, None, **fields)


def bench_people() -> dict:
    """The bench's organisation, its customer, two Support agents and a manager."""
    demo.seed_sla()
    org, _ = Organization.objects.get_or_create(name="Bench")
    support, _ = Department.objects.get_or_create(name="Support")
    customer = person("bench-customer@bench.test", full_name="Bench Customer", organization=org)
    agents = []
    for email, name in [
        ("bench-agent@bench.test", "Bench Agent"),
        ("bench-other@bench.test", "Bench Other"),
    ]:
        agent = User.objects.filter(email=email).first()
        if agent is None:
            agent = User.objects.create_user(email, None, full_name=name, role=User.Role.AGENT)
            agent.departments.add(support)
        agents.append(agent)
    manager = person("bench-manager@bench.test", full_name="Bench Manager", role=User.Role.MANAGER)
    return {
        "org": org,
        "customer": customer,
        "agent": agents[0],
        "other_agent": agents[1],
        "manager": manager,
        "support": support,
    }


def seed(people: dict, *, total: int, open_share: float, out) -> None:
    """Bring the bench organisation to `total` cases, with a progress bar on `out`."""
    existing = Case.objects.filter(organization=people["org"]).count()
    if existing >= total:
        out.write(f"{existing:,} bench cases present; nothing to seed.")
        return
    started = time.monotonic()
    done = existing
    while done < total:
        size = min(BATCH, total - done)
        insert_batch(people, start=done, size=size, open_share=open_share)
        done += size
        rate = (done - existing) / (time.monotonic() - started)
        bar = "#" * int(30 * done / total)
        out.write(f"\r  seeding [{bar:<30}] {done:,}/{total:,} ({rate:,.0f}/s)", ending="")
        out.flush()
    out.write("")
    with connection.cursor() as cursor:
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")


@transaction.atomic
def insert_batch(people: dict, *, start: int, size: int, open_share: float) -> None:
    # Generated in the database: one statement per batch, no Python row objects.
    # Every 1/open_share-th case is open with its next SLA check spread over two weeks
    # ahead; one in TRIAGE_EVERY of the others is new and unowned; the rest are closed
    # with no clock.
    every = max(round(1 / open_share), 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (
                title, description, customer_id, organization_id, priority, status,
                owner_id, owning_department_id, first_department_id, version, created,
                updated, first_owned_at, closed_at, first_responded_at, last_public_update,
                first_response_due, next_update_due, resolution_due, paused_at,
                paused_credit, eta, next_sla_check, ownership_lapsed, ownership_changes,
                bounced, category, quiet_updates)
            SELECT 'Bench case ' || g, '', %(customer)s, %(org)s, 20,
                CASE WHEN g %% %(every)s = 0 THEN 'open'
                     WHEN g %% %(triage)s = 1 THEN 'new' ELSE 'closed' END,
                CASE WHEN g %% %(triage)s = 1 AND g %% %(every)s <> 0 THEN NULL
                     ELSE %(agent)s END,
                %(dept)s, %(dept)s, 1,
                now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute',
                now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute'
                    + interval '1 day',
                CASE WHEN g %% %(triage)s = 1 AND g %% %(every)s <> 0 THEN NULL
                     ELSE now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute'
                         + (g %% 240) * interval '1 minute' END,
                CASE WHEN g %% %(every)s = 0 OR g %% %(triage)s = 1 THEN NULL ELSE now() END,
                now() - interval '1 day', now() - interval '1 day',
                NULL,
                CASE WHEN g %% %(every)s = 0
                     THEN now() + (g %% 20160) * interval '1 minute' + interval '1 hour'
                     END,
                CASE WHEN g %% %(every)s = 0
                     THEN now() + (g %% 20160) * interval '1 minute' + interval '5 hours'
                     END,
                NULL, interval '0', NULL,
                CASE WHEN g %% %(every)s = 0
                     THEN now() + (g %% 20160) * interval '1 minute' + interval '10 minutes'
                     END,
                false,
                CASE WHEN g %% 100 = 7 THEN 2 ELSE 0 END,
                g %% 100 = 7, '', 0
            FROM generate_series(%(first)s, %(last)s) AS g
            """,
            {
                "customer": people["customer"].pk,
                "org": people["org"].pk,
                "agent": people["agent"].pk,
                "dept": people["support"].pk,
                "every": every,
                "triage": TRIAGE_EVERY,
                "first": start + 1,
                "last": start + size,
            },
        )
        cursor.execute("SELECT max(id) FROM cases_case")
        last_id = cursor.fetchone()[0]
        write_history(cursor, people, first_id=last_id - size + 1, last_id=last_id)
