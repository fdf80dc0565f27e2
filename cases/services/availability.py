"""Who is there to own cases: an agent's availability, their time out of office, and the
lead told when new cases wait because nobody is.

The sweep (every minute) calls `hand_over_absences`, `routing.route_waiting` and
`alert_leads`; an agent who becomes available picks up waiting cases at once.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases import selectors
from cases.models import Case, Status
from cases.services import routing
from cases.services.core import email_customer, lock_case
from cases.services.errors import CaseError, NotAllowed
from cases.services.ownership import give_to
from cases.services.permissions import require_agent
from cases.text import say_when
from helpdesk.accounts.models import Absence, Department, User
from notifications import outbox
from notifications.models import Notice


@transaction.atomic
def set_availability(*, agent: User, acting_user: User, availability: str) -> User:
    """An agent says whether they take new cases (available, away, off).

    Who: the agent themselves, their department's lead, or a manager. Becoming available
    picks up the cases waiting for an owner in their automatic departments, oldest first,
    up to their capacity.
    """
    _require_lead_of(agent, acting_user, "sets an agent's availability")
    if availability not in User.Availability.values:
        raise CaseError("Choose available, away or off.")
    User.objects.filter(pk=agent.pk).update(availability=availability)
    agent.availability = availability
    if availability == User.Availability.AVAILABLE:
        departments = list(agent.departments.all())
        transaction.on_commit(lambda: routing.route_waiting(departments=departments))
    return agent


@transaction.atomic
def plan_absence(
    *, agent: User, acting_user: User, starts: datetime, ends: datetime, cover: User | None
) -> Absence:
    """Out of office from `starts` to `ends`, with a cover who takes their cases.

    Who: the agent themselves, their department's lead, or a manager. The handover happens
    when it starts (the sweep), or at once when it already has.
    """
    _require_lead_of(agent, acting_user, "plans their absence")
    if ends <= starts:
        raise CaseError("The absence must end after it starts.")
    if ends <= timezone.now():
        raise CaseError("The absence has ended already.")
    if cover is not None and (cover.pk == agent.pk or not (cover.is_active and cover.is_agent)):
        raise CaseError("The cover must be another active agent.")
    absence = Absence.objects.create(agent=agent, starts=starts, ends=ends, cover=cover)
    if starts <= timezone.now():
        transaction.on_commit(hand_over_absences)
    return absence


def _require_lead_of(agent: User, acting_user: User, what: str) -> None:
    require_agent(acting_user)
    if acting_user.pk == agent.pk or acting_user.is_manager:
        return
    if not Department.objects.filter(agents=agent, lead=acting_user).exists():
        raise NotAllowed(f"Only the agent, their lead or a manager {what}.")


def hand_over_absences(*, now: datetime | None = None) -> int:
    """Absences that have started: each of the agent's open cases passes to the cover
    while the cover has room, else is routed again in its department, else goes to a
    colleague with room who is not at work yet, else to the lead (ownership never lapses,
    even past a capacity); each with a public ownership
    change and one email telling the customer who owns it now. Returns cases moved."""
    now = now or timezone.now()
    moved = 0
    starting = Absence.objects.filter(handed_over_at=None, starts__lte=now, ends__gt=now)
    for absence_id in starting.values_list("pk", flat=True):
        with transaction.atomic():
            absence = (
                Absence.objects.select_for_update(of=("self",))
                .select_related("agent", "cover")
                .get(pk=absence_id)
            )
            if absence.handed_over_at is not None:
                continue
            open_cases = Case.objects.filter(owner=absence.agent).exclude(status=Status.CLOSED)
            for case_id in open_cases.order_by("pk").values_list("pk", flat=True):
                _hand_over(lock_case(Case.objects.get(pk=case_id), None), absence, now=now)
                moved += 1
            absence.handed_over_at = now
            absence.save(update_fields=["handed_over_at"])
    return moved


def _hand_over(case: Case, absence: Absence, *, now: datetime) -> None:
    away = absence.agent
    new_owner, how = _stand_in(case, absence, now=now)
    entry = give_to(
        case,
        owner=new_owner,
        actor=None,
        summary=f"{away.full_name} is out of office until {say_when(absence.ends)}: {how}",
        body=(
            f"{away.full_name} is out of the office until {say_when(absence.ends)}. "
            f"{new_owner.full_name} now owns your case and will keep you posted."
        ),
    )
    email_customer(
        case,
        entry,
        f"{new_owner.full_name} now looks after your case: {case.title}",
        kind=Notice.Kind.OWNERSHIP_CHANGE,
    )
    outbox.notify_in_app(
        recipient=new_owner,
        case=case,
        kind=Notice.Kind.CASE_TRANSFERRED,
        subject=f"You now own {case.reference} while {away.full_name} is away: {case.title}",
        key=f"case:{case.pk}:absence:{absence.pk}",
    )


def _stand_in(case: Case, absence: Absence, *, now: datetime) -> tuple[User, str]:
    cover = absence.cover
    # The cover takes what fits their capacity; the rest is routed like a new case.
    if (
        cover is not None
        and cover.is_active
        and cover.is_agent
        and selectors.loads([cover.pk]).get(cover.pk, 0) < cover.capacity
    ):
        return cover, f"passed to the cover, {cover.full_name}"
    department = case.owning_department
    if department is not None:
        routing.lock_department(department.pk)  # room counted here holds until commit
        choice = routing.choose_owner(case, department, now=now)
        if choice is not None:
            return choice.agent, f"routed again to {choice.agent.full_name}"
        # Nobody at work now (an absence starts at midnight): a colleague with room, who
        # finds it when their day starts, rather than anyone past their capacity.
        colleague = _colleague_with_room(department, absence, now=now)
        if colleague is not None:
            return colleague, f"passed to {colleague.full_name}, who has room for it"
        if department.lead and department.lead.is_active and department.lead != absence.agent:
            return department.lead, f"passed to the lead, {department.lead.full_name}"
    manager = (
        User.objects.filter(role=User.Role.MANAGER, is_active=True)
        .exclude(pk=absence.agent_id)
        .order_by("pk")
        .first()
    )
    if manager is None:
        raise CaseError(f"Nobody can take {case.reference} while {absence.agent} is away.")
    return manager, f"passed to a manager, {manager.full_name}"


def _colleague_with_room(department: Department, absence: Absence, *, now: datetime):
    """The least loaded active agent of the department, not away, with room; or None."""
    away = Absence.objects.filter(starts__lte=now, ends__gt=now).values("agent")
    team = list(
        User.objects.filter(departments=department, is_active=True, role=User.Role.AGENT)
        .exclude(pk__in=away)
        .exclude(pk=absence.agent_id)
        .order_by("pk")
    )
    load = selectors.loads([agent.pk for agent in team])
    room = [agent for agent in team if load.get(agent.pk, 0) < agent.capacity]
    return min(room, key=lambda agent: (load.get(agent.pk, 0), agent.pk), default=None)


def alert_leads(*, now: datetime | None = None, limit: int = 200) -> int:
    """Tell each lead (in-app and by email, once per case) about new cases that have waited
    longer than their department allows because nobody was available. Returns how many."""
    now = now or timezone.now()
    waiting = list(
        routing.waiting_cases()
        .select_related("intake_department__lead")
        .filter(created__lte=now)[:limit]
    )
    late = [
        case
        for case in waiting
        if (now - case.created).total_seconds() >= 60 * case.intake_department.alert_after_minutes
    ]
    keys = {case.pk: f"case:{case.pk}:waiting_for_owner" for case in late}
    told = set(
        Notice.objects.filter(idempotency_key__in=keys.values()).values_list(
            "idempotency_key", flat=True
        )
    )
    alerted = 0
    for case in late:
        if keys[case.pk] in told:
            continue
        people = (
            [case.intake_department.lead]
            if case.intake_department.lead
            else list(User.objects.filter(role=User.Role.MANAGER, is_active=True))
        )
        minutes = int((now - case.created).total_seconds() // 60)
        subject = f"{case.reference} has waited {minutes} minutes for an owner: {case.title}"
        body = (
            f"Nobody in {case.intake_department.name} is available with room for new cases. "
            "Take it, assign it from the team view, or make someone available."
        )
        for person in people:
            key = keys[case.pk] if person is people[0] else f"{keys[case.pk]}:{person.pk}"
            outbox.notify_in_app(
                recipient=person, case=case, kind=Notice.Kind.WAITING_FOR_OWNER,
                subject=subject, body=body, key=key,
            )  # fmt: skip
            outbox.notify_by_email(
                recipient=person, case=case, kind=Notice.Kind.WAITING_FOR_OWNER,
                subject=subject, body=body, key=f"{key}:email",
            )  # fmt: skip
        alerted += 1
    return alerted
