"""`bench routing`: the decision automatic routing makes for every new case (who owns it)
and the whole routing of one, at the bench's size, with the plan of each query.

The shapes, created once: 500 agents in five departments of 100, the first routing
automatically; its agents own a fifth of the bench's closed cases (about 2,000 each at
1,000,000) and carry active loads of 0 to 17 against a capacity of 15 (open, waiting on
the customer, some pending confirmation; many full), in an
organisation of their own; one in ten is away or off, five are out of office, and ten
absences per agent lie in the past. The new case is a first case of a new customer of the
bench organisation, whose million cases the continuity check reads through: every query
of the decision runs, whatever the size (the count is pinned by the tests at a small
size)."""

import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models.functions import Mod
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Status
from cases.services import routing
from helpdesk.accounts.models import Absence, Department, Organization, User

from . import measure

GOAL_MS = 20
TEAMS = 5
TEAM_SIZE = 100
CAPACITY = 15
SAMPLES = 10  # timed decisions per run the command asks for: each takes milliseconds
BATCH = 50_000
ANALYZED = ["cases_case", "accounts_user", "accounts_user_departments", "accounts_absence"]


def routing_shapes(people: dict, *, out) -> dict:
    """The departments, agents, loads and absences routing is measured on (resumable)."""
    teams = [
        Department.objects.get_or_create(name=f"Bench team {n}")[0] for n in range(1, TEAMS + 1)
    ]
    Department.objects.filter(pk=teams[0].pk).update(routing=Department.Routing.AUTOMATIC)
    agents = _agents(teams)
    team = agents[:TEAM_SIZE]
    _closed_history(people, teams[0], team, out=out)
    _active_loads(teams[0], team)
    _absences(agents)
    with connection.cursor() as cursor:
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")
    newcomer = User.objects.filter(email="bench-newcomer@bench.test").first()
    if newcomer is None:
        newcomer = User.objects.create_user(
            "bench-newcomer@bench.test", None, full_name="New Customer", organization=people["org"]
        )
    return {
        "department": Department.objects.get(pk=teams[0].pk),
        "team": team,
        "customer": newcomer,
    }


def _agents(teams: list[Department]) -> list[User]:
    emails = [f"bench-router-{n:03}@bench.test" for n in range(TEAMS * TEAM_SIZE)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        User(
            email=email,
            full_name=f"Router {n:03}",
            role=User.Role.AGENT,
            password="!bench",  # unusable: the bench never signs them in
            capacity=CAPACITY,
            # One in ten is away or off: they are read, then left out.
            availability=[User.Availability.AWAY, User.Availability.OFF][n % 2]
            if n % 10 == 9
            else User.Availability.AVAILABLE,
        )
        for n, email in enumerate(emails)
        if email not in have
    )
    agents = list(User.objects.filter(email__in=emails).order_by("email"))
    Membership = User.departments.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=agent.pk, department_id=teams[n // TEAM_SIZE].pk)
            for n, agent in enumerate(agents)
        ],
        ignore_conflicts=True,
    )
    return agents


def _closed_history(people: dict, department: Department, team: list[User], *, out) -> None:
    """A fifth of the bench's closed cases pass to the automatic team, round robin: the
    history the routing queries must not read."""
    bench = Case.objects.filter(organization=people["org"], status=Status.CLOSED)
    # Each batch commits: a run stopped half way resumes where it stopped.
    if not bench.alias(fifth=Mod("pk", 5)).filter(fifth=0, owner=people["agent"]).exists():
        return
    first, last = bench.order_by("pk").values_list("pk", flat=True).first(), bench.latest("pk").pk
    ids = [agent.pk for agent in team]
    for start in range(first, last + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET owner_id = (%(team)s::bigint[])[1 + (id / 5) %% %(size)s], "
                "owning_department_id = %(department)s WHERE id BETWEEN %(start)s AND %(end)s "
                "AND id %% 5 = 0 AND organization_id = %(org)s AND status = 'closed' "
                "AND owner_id = %(agent)s",
                {
                    "team": ids,
                    "size": len(ids),
                    "department": department.pk,
                    "start": start,
                    "end": start + BATCH - 1,
                    "org": people["org"].pk,
                    "agent": people["agent"].pk,
                },
            )
        done = min(start + BATCH, last + 1) - first
        out.write(f"\r  routing history {done:,}/{last - first + 1:,}", ending="")
        out.flush()
    out.write("")
    if not connection.in_atomic_block:  # the rows updated leave dead versions behind
        with connection.cursor() as cursor:
            cursor.execute("VACUUM cases_case")


def _active_loads(department: Department, team: list[User]) -> None:
    """Agent k of the team carries k mod 16 cases in work and k mod 3 pending confirmation
    (capacity 15: many full), of customers of their own organisation."""
    org, _ = Organization.objects.get_or_create(name="Bench Routing")
    if Case.objects.filter(organization=org).exists():
        return
    customers = [
        User.objects.filter(email=f"bench-routing-{n}@bench.test").first()
        or User.objects.create_user(
            f"bench-routing-{n}@bench.test", None, full_name=f"Routing {n}", organization=org
        )
        for n in range(20)
    ]
    now = timezone.now()
    cases = []
    for k, agent in enumerate(team):
        active, pending = k % (CAPACITY + 1), k % 3
        for i in range(active + pending):
            created = now - timedelta(hours=7 * i + k)
            status = (
                Status.PENDING_CONFIRMATION
                if i >= active
                else Status.WAITING_ON_CUSTOMER
                if i % 4 == 3
                else Status.OPEN
            )
            customer = customers[(k + i) % len(customers)]
            cases.append(
                Case(
                    title=f"Bench routing case {k}-{i}",
                    customer=customer,
                    organization=org,
                    status=status,
                    owner=agent,
                    owning_department=department,
                    first_department=department,
                    intake_department=department,
                    first_owned_at=created,
                    created=created,
                    updated=created + timedelta(hours=1),
                )
            )
    Case.objects.bulk_create(cases, batch_size=2000)


def _absences(agents: list[User]) -> None:
    """Ten past absences per agent (handed over), and five agents out of office now."""
    if Absence.objects.filter(agent__in=agents).exists():
        return
    now = timezone.now()
    rows = [
        Absence(
            agent=agent,
            starts=now - timedelta(days=20 + 70 * i + n % 30),
            ends=now - timedelta(days=15 + 70 * i + n % 30),
            handed_over_at=now - timedelta(days=20 + 70 * i + n % 30),
        )
        for n, agent in enumerate(agents)
        for i in range(10)
    ]
    rows += [
        Absence(
            agent=agent, starts=now - timedelta(days=1), ends=now + timedelta(days=3),
            handed_over_at=now - timedelta(days=1),
        )
        for agent in agents[10:15]
    ]  # fmt: skip
    Absence.objects.bulk_create(rows, batch_size=2000)


def bench_routing(people: dict, *, runs: int, out) -> dict:
    shapes = routing_shapes(people, out=out)
    department, customer = shapes["department"], shapes["customer"]
    samples = max(runs * SAMPLES, 20)
    size = len(shapes["team"])

    def decide(case: Case, now) -> None:
        routing.choose_owner(case, department, now=now)

    def route(case: Case, now) -> None:
        routing.route(case, now=now)

    decision = _timed(customer, department, samples, decide)
    whole = _timed(customer, department, samples, route)
    out.write(measure.line(f"routing decision ({size} agents)", decision, goal_ms=GOAL_MS))
    out.write(
        measure.line(
            f"route a new case ({size} agents)", whole, goal_ms=None, note="and its writes"
        )
    )
    plans = _plans(customer, department)
    for query, plan in plans.items():
        out.write(f"    {query}: " + "; ".join(_gist(plan)))
    return {"routing": {"decision": decision, "route": whole}, "plans": plans}


def _new_case(customer: User, department: Department, now) -> Case:
    return Case.objects.create(
        title="Bench routing: a new case",
        customer=customer,
        organization_id=customer.organization_id,
        intake_department=department,
        created=now,
        updated=now,
    )


def _timed(customer: User, department: Department, samples: int, call) -> dict:
    """p50/p95 of `call(case, now)` on a new case, each in a transaction rolled back
    (the new row, the locks and the writes); the queries of the last one."""
    timings, queries = [], 0
    for sample in range(samples + 1):
        with transaction.atomic():
            now = timezone.now()
            case = _new_case(customer, department, now)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call(case, now)
                elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        if sample:  # the first warms caches
            timings.append(elapsed)
        queries = len(captured.captured_queries)
    timings.sort()
    return {
        "p50_ms": round(1000 * statistics.median(timings), 1),
        "p95_ms": round(1000 * timings[max(int(0.95 * len(timings)) - 1, 0)], 1),
        "queries": queries,
        "samples": samples,
    }


def _plans(customer: User, department: Department) -> dict[str, list[str]]:
    """EXPLAIN ANALYZE of each query of one decision, named by what it reads."""
    names = ["agents", "loads", "customer's owner", "organisation's owner"]
    plans = {}
    with transaction.atomic():
        now = timezone.now()
        case = _new_case(customer, department, now)
        with CaptureQueriesContext(connection) as captured:
            routing.choose_owner(case, department, now=now)
        with connection.cursor() as cursor:
            for name, query in zip(names, captured.captured_queries, strict=False):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plans[name] = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plans


def _gist(plan: list[str]) -> list[str]:
    """The scans of a plan (rows returned, and read then filtered out) and its execution
    time, in one line."""
    scans: list[str] = []
    for line in plan:
        text = line.strip().removeprefix("-> ")
        if " Scan " in text:
            rows = text.split("(actual", 1)[-1].split("rows=")[-1].split()[0]
            scans.append(f"{text.split('  (cost')[0]} ({rows} rows")
        elif text.startswith("Rows Removed by Filter") and scans:
            scans[-1] += f", {int(text.split(': ')[1]):,} filtered out"
    return [f"{scan})" for scan in scans] + [
        next((line for line in plan if line.startswith("Execution Time")), "")
    ]
