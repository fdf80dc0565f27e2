"""Automatic routing's promises, checked after every step of random days: cases arrive,
owners close them, agents come and go, leads change capacities, the sweep runs. Whatever
the order: nobody is given more than their capacity, a case has at most one owner and an
owned case is never new, nobody with room sits idle once waiting cases were routed, and
waiting cases are served oldest first (a newcomer never takes an older case's place).

Each example runs in a transaction rolled back at its end, from the same small world:
Support and Hardware route automatically ("battery" in the title goes to Hardware); Ana
works in Support, Ben in both, Cy in Hardware, each with room for one case; three
customers of two organisations."""

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cases import services
from cases.models import Case, EntryKind, IntakeRule, Status, TimelineEntry
from cases.services import routing
from helpdesk.accounts.models import Department, User
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

TITLES = ["Cannot sign in", "Battery swells"]  # Support, Hardware
EXAMPLES = settings(max_examples=30, stateful_step_count=20, deadline=None)


class RoutingDay(RuleBasedStateMachine):
    """A day at the desk. Closing a case is followed by `route_waiting` (as the sweep
    would), becoming available routes on commit as the product does, a capacity changed in
    the admin waits for the sweep, which is a step of its own."""

    def __init__(self):
        super().__init__()
        self._example = transaction.atomic()
        self._example.__enter__()
        assert not Case.objects.exists(), "the previous example was not rolled back"
        support = DepartmentFactory(name="Support", routing=Department.Routing.AUTOMATIC)
        hardware = DepartmentFactory(name="Hardware", routing=Department.Routing.AUTOMATIC)
        IntakeRule.objects.create(department=hardware, title_words="battery")
        self.departments = [support, hardware]
        self.agents = [
            AgentFactory(full_name="Ana", departments=[support], capacity=1),
            AgentFactory(full_name="Ben", departments=[support, hardware], capacity=1),
            AgentFactory(full_name="Cy", departments=[hardware], capacity=1),
        ]
        acme, globex = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
        self.customers = [CustomerFactory(organization=org) for org in (acme, acme, globex)]
        self.gained_before: dict[int, int] = {}
        self.routed_in: list[Department] = []  # departments whose waiting cases were routed

    def teardown(self):
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    # --- what happens ------------------------------------------------------------------

    @rule(customer=st.integers(0, 2), title=st.sampled_from(TITLES))
    def report(self, customer, title):
        services.report_case(
            acting_user=self.customers[customer], title=title, description="Since today."
        )

    @precondition(lambda self: active_owned().exists())
    @rule(pick=st.integers(0, 50))
    def close(self, pick):
        cases = list(active_owned().select_related("owner").order_by("pk"))
        case = cases[pick % len(cases)]
        services.close_case(
            case=case, acting_user=case.owner, reason="Fixed.", expected_version=None
        )
        self.sweep()

    @rule(agent=st.integers(0, 2), availability=st.sampled_from(User.Availability.values))
    def set_availability(self, agent, availability):
        agent = User.objects.get(pk=self.agents[agent].pk)
        # What the product runs on commit (routing the waiting cases) runs here.
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.set_availability(agent=agent, acting_user=agent, availability=availability)
        if availability == User.Availability.AVAILABLE:
            self.routed_in = list(agent.departments.all())

    @rule(agent=st.integers(0, 2), capacity=st.integers(0, 3))
    def set_capacity(self, agent, capacity):
        User.objects.filter(pk=self.agents[agent].pk).update(capacity=capacity)

    @rule()
    def sweep(self):
        routing.route_waiting()
        self.routed_in = self.departments

    # --- what must hold after every step -----------------------------------------------

    @invariant()
    def nobody_is_given_more_than_their_capacity(self):
        """An agent given a case in this step ends it within their capacity (a lead may
        lower a capacity below the load: routing then gives them nothing more)."""
        gained = {
            agent.pk: TimelineEntry.objects.filter(
                kind=EntryKind.OWNERSHIP_CHANGE, data__to=agent.pk
            ).count()
            for agent in self.agents
        }
        for agent in User.objects.filter(pk__in=gained):
            if gained[agent.pk] > self.gained_before.get(agent.pk, 0):
                load = Case.objects.filter(owner=agent, status__in=routing.ACTIVE).count()
                assert load <= agent.capacity, f"{agent} has {load} of {agent.capacity}"
        self.gained_before = gained

    @invariant()
    def a_case_has_one_owner_and_is_never_new_once_owned(self):
        given: dict[int, list[int]] = {}
        for case_id, to in TimelineEntry.objects.filter(
            kind=EntryKind.OWNERSHIP_CHANGE
        ).values_list("case", "data__to"):
            given.setdefault(case_id, []).append(to)
        for case in Case.objects.all():
            if case.owner_id is None:
                assert case.status == Status.NEW and case.pk not in given, case
            else:
                assert case.status != Status.NEW, case
                assert given[case.pk] == [case.owner_id], case

    @invariant()
    def nobody_with_room_is_idle_while_a_routed_department_has_cases_waiting(self):
        for department in self.routed_in:
            if not routing.waiting_cases(departments=[department]).exists():
                continue
            available = routing.available_agents(department, now=timezone.now())
            load = routing.loads([agent.pk for agent in available])
            idle = [agent for agent in available if load.get(agent.pk, 0) < agent.capacity]
            assert not idle, f"{department} has cases waiting while {idle} have room"
        self.routed_in = []

    @invariant()
    def waiting_cases_are_served_oldest_first(self):
        for department in self.departments:
            oldest = routing.waiting_cases(departments=[department]).first()
            if oldest is None:
                continue
            owned = Case.objects.filter(intake_department=department).exclude(owner=None)
            younger = owned.filter(created__gt=oldest.created) | owned.filter(
                created=oldest.created, pk__gt=oldest.pk
            )
            assert not younger.exists(), f"{list(younger)} owned while {oldest} waits"


def active_owned():
    return Case.objects.filter(status__in=routing.ACTIVE).exclude(owner=None)


def test_routing_keeps_its_promises_whatever_happens():
    run_state_machine_as_test(RoutingDay, settings=EXAMPLES)


def test_a_case_arriving_before_the_sweep_waits_behind_the_older_one(support, agent, customer):
    # The shortest day on which a newcomer took an older case's place (before intake
    # served the waiting cases first): a place freed between two sweeps.
    Department.objects.filter(pk=support.pk).update(routing=Department.Routing.AUTOMATIC)
    User.objects.filter(pk=agent.pk).update(capacity=1)
    first = services.report_case(acting_user=customer, title="First", description="")
    waiting = services.report_case(acting_user=customer, title="Waiting", description="")
    services.close_case(case=first, acting_user=agent, reason="Fixed.", expected_version=None)

    newest = services.report_case(acting_user=customer, title="Newest", description="")

    waiting.refresh_from_db()
    assert (waiting.owner, newest.owner) == (agent, None)
    assert waiting.status == Status.OPEN and newest.status == Status.NEW
