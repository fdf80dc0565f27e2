"""The lead's view of a team: who is available, their load against capacity, who is away
and until when, and the new cases waiting for an owner. A fixed number of queries for
any number of agents, departments and cases."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q

from cases.models import ACTIVE_STATUSES, Case, Status
from helpdesk.accounts.models import Absence, Department, User

WAITING_SHOWN = 50


@dataclass
class Member:
    agent: User
    load: int
    away: Absence | None  # out of office now, or next

    @property
    def full(self) -> bool:
        return self.load >= self.agent.capacity


@dataclass
class Team:
    department: Department
    members: list[Member] = field(default_factory=list)
    waiting: list[Case] = field(default_factory=list)


def loads(agent_ids: list[int]) -> dict[int, int]:
    """Active cases per agent (one query, through the owner's active-case index)."""
    rows = (
        Case.objects.filter(owner__in=agent_ids, status__in=ACTIVE_STATUSES)
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    )
    return dict(rows)


def departments_for(user: User):
    """A manager sees every department; a lead the ones they lead; an agent their own."""
    if user.is_manager:
        return Department.objects.all()
    return Department.objects.filter(Q(lead=user) | Q(agents=user)).distinct()


def teams(user: User, *, now: datetime) -> list[Team]:
    departments = list(departments_for(user).select_related("lead").order_by("name"))
    agents = (
        User.objects.filter(is_active=True, role__in=[User.Role.AGENT, User.Role.MANAGER])
        .order_by("full_name", "pk")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.only("pk")))
    )
    members = list(agents.filter(departments__in=departments).distinct())
    load = loads([agent.pk for agent in members])
    away = {}
    for absence in (
        Absence.objects.filter(agent__in=members, ends__gt=now)
        .select_related("cover")
        .order_by("starts")
    ):
        away.setdefault(absence.agent_id, absence)
    waiting = list(
        Case.objects.filter(status=Status.NEW, owner=None, intake_department__in=departments)
        .select_related("customer", "organization")
        .order_by("created", "pk")[:WAITING_SHOWN]
    )
    found = {department.pk: Team(department) for department in departments}
    for agent in members:
        for department in agent.departments.all():
            if department.pk in found:
                found[department.pk].members.append(
                    Member(agent, load.get(agent.pk, 0), away.get(agent.pk))
                )
    for case in waiting:
        found[case.intake_department_id].waiting.append(case)
    return list(found.values())
