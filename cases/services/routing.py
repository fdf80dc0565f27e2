"""Automatic routing: a new case gets its one owner in the request or task that creates it.

Which department a case starts in comes from the intake rules (`IntakeRule`, default
Support). A department set to automatic routing gives each new case an available agent of
the department with room (active cases under their capacity, inside their working hours,
not out of office): the
customer's or organisation's recent owner first (continuity), else the least loaded,
ties to whoever waited longest since their last routed case. The choice is written on the
timeline in words. When nobody is available the case waits in triage; the sweep routes it
as soon as someone is, and tells the lead when it has waited too long.

Race-free: the department's candidate agents are locked (in id order) before their loads
are counted, so concurrent intakes into one department take turns: no one is given more
than their capacity, and no case gets two owners (the case row is new and ours).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases import clocks, sla
from cases.models import ACTIVE_STATUSES, Case, IntakeRule, Status, WorkingHours
from cases.selectors import loads
from cases.services.core import lock_case
from cases.services.ownership import give_to
from helpdesk.accounts.models import Absence, Department, User

ACTIVE = ACTIVE_STATUSES
DEFAULT_DEPARTMENT = "Support"
# At most this many older waiting cases are served before a newcomer (the sweep does the
# rest); bounds the work of one intake.
TURN_LIMIT = 20
CONTINUITY = timedelta(days=90)


@dataclass(frozen=True)
class Choice:
    agent: User
    load: int
    why: str

    @property
    def words(self) -> str:
        return (
            f"Assigned automatically: available, {self.load} of {self.agent.capacity} active "
            f"cases{self.why}"
        )


def intake_department(
    *, organization_id: int | None, title: str, mailbox: str = "", category: str = ""
):
    """The department a new case starts in: the first matching rule's, else Support."""
    for rule in IntakeRule.objects.select_related("department"):
        if rule.matches(
            mailbox=mailbox, organization_id=organization_id, title=title, category=category
        ):
            return rule.department
    return Department.objects.filter(name=DEFAULT_DEPARTMENT).first()


_hours: dict[tuple[str, int], sla.CalendarSpec] | None = None
_hours_loaded_at = 0.0


def forget_working_hours(**_signal) -> None:
    global _hours
    _hours = None


def _working_hours() -> dict[tuple[str, int], sla.CalendarSpec]:
    """Every agent's and department's working hours, read once a minute (and again
    whenever one is saved in this process)."""
    global _hours, _hours_loaded_at
    if _hours is None or time.monotonic() - _hours_loaded_at > clocks.POLICY_CACHE_SECONDS:
        rows = WorkingHours.objects.select_related("calendar").prefetch_related(
            "calendar__hours", "calendar__holidays"
        )
        _hours = {
            ("agent", row.agent_id) if row.agent_id else ("department", row.department_id): (
                row.calendar.spec()
            )
            for row in rows
        }
        _hours_loaded_at = time.monotonic()
    return _hours


def at_work(agent: User, department: Department, now: datetime) -> bool:
    """Inside the agent's working hours (their own, else their department's; none: any
    time)."""
    hours = _working_hours()
    spec = hours.get(("agent", agent.pk)) or hours.get(("department", department.pk))
    return spec is None or sla.is_working_time(spec, now)


def categories() -> list[str]:
    """The categories a customer may pick in the portal: those the intake rules name."""
    found = IntakeRule.objects.exclude(category="").values_list("category", flat=True)
    return sorted(set(found), key=str.lower)


def available_agents(department: Department, *, now: datetime, lock: bool = False) -> list[User]:
    """The department's agents who may be given a new case now: available, at work, not
    out of office (room is checked apart)."""
    away = Absence.objects.filter(starts__lte=now, ends__gt=now).values("agent")
    agents = (
        User.objects.filter(
            departments=department,
            is_active=True,
            role__in=[User.Role.AGENT, User.Role.MANAGER],
            availability=User.Availability.AVAILABLE,
        )
        .exclude(pk__in=away)
        .order_by("pk")
    )
    if lock:
        # FOR NO KEY UPDATE: routers take turns, while a transaction writing a row that
        # points at the agent (checked at commit) is never held up by it.
        agents = agents.select_for_update(of=("self",), no_key=True)
    return [agent for agent in agents if at_work(agent, department, now)]


def choose_owner(case: Case, department: Department, *, now: datetime) -> Choice | None:
    """The agent automatic routing gives `case` to, with the reason; None when nobody of
    the department is available with room. Locks the candidates until the caller commits."""
    candidates = available_agents(department, now=now, lock=True)
    if not candidates:
        return None
    load = loads([agent.pk for agent in candidates])
    room = [agent for agent in candidates if load.get(agent.pk, 0) < agent.capacity]
    if not room:
        return None
    for previous, why in _recent_owners(case, now=now):
        match = next((agent for agent in room if agent.pk == previous), None)
        if match is not None:
            return Choice(match, load.get(match.pk, 0), why)
    least = min(room, key=lambda a: (load.get(a.pk, 0), a.last_routed_at or _long_ago(now), a.pk))
    return Choice(least, load.get(least.pk, 0), ", the least loaded")


def _long_ago(now: datetime) -> datetime:
    return now - timedelta(days=365 * 100)


def _recent_owners(case: Case, *, now: datetime):
    """(owner id, reason) of the customer's, then the organisation's, latest owned case."""
    recent = (
        Case.objects.exclude(pk=case.pk).exclude(owner=None).filter(created__gte=now - CONTINUITY)
    )
    mine = recent.filter(customer_id=case.customer_id).order_by("-created", "-pk")
    owner = mine.values_list("owner", flat=True).first()
    if owner:
        yield owner, ", and this customer's owner last time"
    theirs = recent.filter(organization_id=case.organization_id).order_by("-updated", "-pk")
    owner = theirs.values_list("owner", flat=True).first()
    if owner:
        yield owner, ", and their organisation's recent owner"


def route(case: Case, *, now: datetime | None = None) -> User | None:
    """Give a new, unowned case an owner if its department routes automatically. Runs in
    the caller's transaction (the one creating the case, or the sweep's). Returns the
    owner, or None when it waits in triage.

    Cases wait their turn: older cases of the department still waiting are served first,
    so a newcomer never takes the place an older case was waiting for. Every routing into
    a department first locks the department's row: locks are always taken department,
    then cases, then agents, and the queue's order holds whoever routes.
    """
    now = now or timezone.now()
    department = case.intake_department
    if (
        department is None
        or department.routing != Department.Routing.AUTOMATIC
        or case.owner_id is not None
        or case.status != Status.NEW
    ):
        return None
    # One router at a time per department: the queue's order holds, whoever routes.
    lock_department(department.pk)
    older = (
        waiting_cases(departments=[department])
        .filter(created__lt=case.created)
        .select_for_update(of=("self",))[:TURN_LIMIT]
    )
    for waiting in older:
        if _give(waiting, department, now=now) is None:
            return None  # nobody has room: this case waits behind them
    return _give(case, department, now=now)


def _give(case: Case, department: Department, *, now: datetime) -> User | None:
    choice = choose_owner(case, department, now=now)
    if choice is None:
        return None
    User.objects.filter(pk=choice.agent.pk).update(last_routed_at=now)
    case.owning_department = department  # the agent acts for the department that routed it
    give_to(case, owner=choice.agent, actor=None, summary=choice.words)
    return choice.agent


def lock_department(department_id: int) -> None:
    """The department's routing turn, until the caller commits. FOR NO KEY UPDATE: only
    other routers wait; rows written meanwhile that point at the department do not (their
    foreign keys are checked at commit, and would otherwise deadlock with the router)."""
    Department.objects.select_for_update(no_key=True).filter(pk=department_id).first()


def waiting_cases(*, departments=None):
    """New cases still without an owner in departments that route automatically, oldest
    first (through the triage index)."""
    found = Case.objects.filter(
        status=Status.NEW,
        owner=None,
        intake_department__routing=Department.Routing.AUTOMATIC,
    ).order_by("created", "pk")
    if departments is not None:
        found = found.filter(intake_department__in=departments)
    return found


def route_waiting(*, now: datetime | None = None, departments=None, limit: int = 100) -> int:
    """Give waiting cases an owner now that someone may be available (the sweep, or an
    agent becoming available). Each case in its own transaction. Returns how many cases
    got an owner."""
    now = now or timezone.now()
    routed = 0
    found = waiting_cases(departments=departments).values_list("pk", "intake_department")
    for case_id, department_id in found[:limit]:
        with transaction.atomic():
            lock_department(department_id)
            case = lock_case(Case.objects.select_related("intake_department").get(pk=case_id), None)
            if case.owner_id is not None or case.status != Status.NEW:
                continue  # someone took it meanwhile: on to the next
            if route(case, now=now) is None:
                # Nobody with room in this department: later cases there wait too.
                if departments is not None and len(departments) == 1:
                    break
                continue
            routed += 1
    return routed
