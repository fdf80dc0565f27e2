"""Automatic routing under real concurrency (PostgreSQL, one connection per thread): many
customers report at the same moment and sweeps run side by side, yet nobody is given more
than their capacity and no case gets two owners."""

import re
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from cases import services
from cases.models import Case, EntryKind, Status, TimelineEntry
from cases.services import routing
from cases.services.core import lock_case
from helpdesk.accounts.models import Department, User
from tests.factories import AgentFactory, CustomerFactory
from tests.helpers import fresh

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL",
    ),
]

CAPACITY = 4
AGENTS = 3
REPORTS = 20
ASSIGNED = re.compile(r"^Assigned automatically: available, (\d+) of (\d+) active cases")


@pytest.fixture
def automatic(support):
    support.routing = Department.Routing.AUTOMATIC
    support.save(update_fields=["routing"])
    return support


@pytest.fixture
def team(automatic):
    return [
        AgentFactory(full_name=f"Agent {i}", departments=[automatic], capacity=CAPACITY)
        for i in range(AGENTS)
    ]


@pytest.fixture
def customers(organization, other_organization):
    # Two organisations: continuity pulls each one towards its recent owner while the
    # least loaded takes the rest, so both ways of choosing meet under contention.
    return [
        CustomerFactory(organization=organization if i % 2 else other_organization)
        for i in range(REPORTS)
    ]


def at_once(calls) -> list:
    """Run each call in a thread of its own (its own database connection), all released
    together by a barrier; what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls), timeout=10)
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # surfaced by the caller, never swallowed
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes


def active_loads(agents) -> dict[int, int]:
    return dict(
        Counter(
            Case.objects.filter(owner__in=agents, status__in=routing.ACTIVE).values_list(
                "owner", flat=True
            )
        )
    )


def ownership_changes(case_ids) -> Counter:
    return Counter(
        TimelineEntry.objects.filter(
            case__in=case_ids, kind=EntryKind.OWNERSHIP_CHANGE
        ).values_list("case", flat=True)
    )


def stated_loads(case_ids) -> dict[int, list[int]]:
    """Per owner, the loads the timeline said each routing saw ("k of n active cases")."""
    said: dict[int, list[int]] = {}
    for entry in TimelineEntry.objects.filter(case__in=case_ids, kind=EntryKind.OWNERSHIP_CHANGE):
        load, capacity = map(int, ASSIGNED.match(entry.data["summary"]).groups())
        assert capacity == CAPACITY
        said.setdefault(entry.data["to"], []).append(load)
    return {owner: sorted(loads) for owner, loads in said.items()}


def report(customer, i: int):
    return lambda: services.report_case(
        acting_user=customer, title=f"Cannot sign in {i}", description="Since this morning."
    )


def test_simultaneous_reports_never_give_anyone_more_than_their_capacity(team, customers):
    outcomes = at_once([report(customer, i) for i, customer in enumerate(customers)])

    assert all(isinstance(o, Case) for o in outcomes), [
        o for o in outcomes if not isinstance(o, Case)
    ]
    ids = [case.pk for case in outcomes]
    cases = Case.objects.filter(pk__in=ids)
    assert active_loads(team) == {agent.pk: CAPACITY for agent in team}
    assert cases.exclude(owner=None).count() == AGENTS * CAPACITY
    assert cases.filter(owner=None, status=Status.NEW).count() == REPORTS - AGENTS * CAPACITY
    assert not cases.exclude(owner=None).filter(status=Status.NEW).exists()
    owned = cases.exclude(owner=None).values_list("pk", flat=True)
    assert ownership_changes(ids) == Counter({pk: 1 for pk in owned})
    # Each routing counted the loads after the previous one had committed: every agent's
    # cases say 0, 1, 2 and 3 of 4, never the same figure twice.
    assert stated_loads(ids) == {agent.pk: list(range(CAPACITY)) for agent in team}


@pytest.fixture
def three_places_freed(team, customers):
    """Every agent full, eight cases waiting, then the first agent closes two cases and
    the second one: three places free until the next sweep."""
    cases = [
        services.report_case(acting_user=customer, title=f"Problem {i}", description="")
        for i, customer in enumerate(customers)
    ]
    first, second = team[0], team[1]
    freed = [c for c in cases if c.owner == first][:2] + [c for c in cases if c.owner == second][:1]
    for case in freed:
        services.close_case(
            case=case, acting_user=case.owner, reason="Fixed.", expected_version=None
        )
    return cases


def assert_three_places_given_once_each(cases, team) -> list[Case]:
    """No agent over capacity, three more cases owned, one ownership change per owned
    case; the cases that took the places, oldest first."""
    assert active_loads(team) == {agent.pk: CAPACITY for agent in team}
    waiting = [case.pk for case in cases if case.owner is None]
    routed = list(Case.objects.filter(pk__in=waiting).exclude(owner=None).order_by("created", "pk"))
    assert len(routed) == 3 and all(case.status == Status.OPEN for case in routed)
    ids = [case.pk for case in cases]
    owned = Case.objects.filter(pk__in=ids).exclude(owner=None).values_list("pk", flat=True)
    assert ownership_changes(ids) == Counter({pk: 1 for pk in owned})
    return routed


def test_simultaneous_sweeps_give_each_freed_place_to_one_waiting_case(team, three_places_freed):
    outcomes = at_once([routing.route_waiting for _ in range(3)])

    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 3
    routed = assert_three_places_given_once_each(three_places_freed, team)
    waiting = [case for case in three_places_freed if case.owner is None]
    assert routed == waiting[:3]  # the three oldest
    # Each routing counted loads after the one before had committed.
    first, second = team[0], team[1]
    assert stated_loads([case.pk for case in routed]) == {first.pk: [2, 3], second.pk: [3]}


def test_newcomers_during_the_sweeps_never_overfill_or_double_own(
    team, customers, three_places_freed
):
    newcomers = [report(customers[0], 100), report(customers[1], 101)]

    outcomes = at_once([routing.route_waiting, routing.route_waiting, *newcomers])

    assert all(isinstance(o, int | Case) for o in outcomes), outcomes
    assert_three_places_given_once_each([*three_places_freed, *outcomes[2:]], team)
    # Which three took the places is left to the next test: under this race the oldest
    # sometimes stays waiting.


def test_a_newcomer_never_takes_the_place_of_a_case_the_sweep_is_routing(automatic, customer):
    dana = AgentFactory(full_name="Dana Lee", departments=[automatic], capacity=1)
    first = services.report_case(acting_user=customer, title="First", description="")
    oldest = services.report_case(acting_user=customer, title="Waiting", description="")
    services.close_case(case=first, acting_user=dana, reason="Fixed.", expected_version=None)
    locked, release = threading.Event(), threading.Event()

    def the_sweep():
        # route_waiting as it runs: the department locked, then the case row, then
        # route(), held up here while the newcomer arrives.
        try:
            with transaction.atomic():
                Department.objects.select_for_update().get(pk=automatic.pk)
                case = lock_case(
                    Case.objects.select_related("intake_department").get(pk=oldest.pk), None
                )
                locked.set()
                release.wait(10)
                routing.route(case)
        finally:
            connection.close()

    sweep = threading.Thread(target=the_sweep)
    sweep.start()
    assert locked.wait(10)
    # The newcomer's intake waits for the department; the sweep goes on a moment later.
    threading.Timer(0.5, release.set).start()
    newest = services.report_case(acting_user=customer, title="Newest", description="")
    sweep.join(10)

    assert (fresh(oldest).owner, fresh(newest).owner) == (dana, None)


def test_becoming_available_while_a_colleague_takes_the_oldest_case_still_picks_up_the_next(
    automatic, customer
):
    dana = AgentFactory(full_name="Dana Lee", departments=[automatic], capacity=2)
    sam = AgentFactory(full_name="Sam Ortiz", departments=[automatic], capacity=2)
    User.objects.filter(pk__in=[dana.pk, sam.pk]).update(availability=User.Availability.OFF)
    oldest, next_one = (
        services.report_case(acting_user=customer, title=title, description="")
        for title in ("Oldest waiting", "Next waiting")
    )
    taken, release = threading.Event(), threading.Event()

    def sam_takes_the_oldest():
        try:
            with transaction.atomic():
                services.take_ownership(case=oldest, acting_user=sam, expected_version=None)
                taken.set()
                release.wait(10)  # Sam's page is still saving while Dana's sweep looks
        finally:
            connection.close()

    def dana_becomes_available():
        try:
            User.objects.filter(pk=dana.pk).update(availability=User.Availability.AVAILABLE)
            # What set_availability runs on commit for an agent of one department.
            return routing.route_waiting(departments=[automatic])
        finally:
            connection.close()

    results: list = []
    sam_thread = threading.Thread(target=sam_takes_the_oldest)
    sam_thread.start()
    assert taken.wait(10)
    dana_thread = threading.Thread(target=lambda: results.append(dana_becomes_available()))
    dana_thread.start()
    wait_until_blocked_on_a_lock()
    release.set()
    sam_thread.join(10)
    dana_thread.join(10)

    assert fresh(oldest).owner == sam
    # Fails today: Dana's sweep stopped at the case Sam took (it routed none), so the next
    # case waits with Dana idle until the minute's sweep.
    assert fresh(next_one).owner == dana, f"routed {results}"


def wait_until_blocked_on_a_lock(timeout: float = 10.0) -> None:
    """Until another session of this test database waits for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the sweep never waited for the case row")
