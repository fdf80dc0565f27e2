"""Handoff services: a department does its part; the owner keeps the customer's problem.

A handoff never changes the case's status, never closes it and never writes to the
customer. Every transition writes one internal `handoff` entry on the case timeline;
finishing one (done or declined) returns it to the owner with an in-app notice.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases.models import (
    Case,
    EntryKind,
    Handoff,
    HandoffStatus,
    Visibility,
)
from cases.services.bounces import note_bounce
from cases.services.core import lock_case, touch, write_entry
from cases.services.errors import CaseError, InvalidTransition, NotAllowed
from cases.services.permissions import require, require_agent, works_in
from helpdesk.accounts.models import Department, User
from notifications import outbox
from notifications.models import Notice


def _entry(handoff: Handoff, *, actor: User | None, event: str, body: str = "", **data) -> None:
    summary = {
        "requested": f"handoff to {handoff.department.name} requested",
        "accepted": f"{handoff.department.name} accepted the handoff",
        "done": f"{handoff.department.name} finished its part",
        "declined": f"{handoff.department.name} declined the handoff",
        "cancelled": f"handoff to {handoff.department.name} cancelled",
    }[event]
    write_entry(
        case=handoff.case,
        kind=EntryKind.HANDOFF,
        actor=actor,
        visibility=Visibility.INTERNAL,
        body=body,
        department=handoff.department if event in ("accepted", "done", "declined") else None,
        data={
            "handoff": handoff.pk,
            "event": event,
            "department": handoff.department.name,
            "department_id": handoff.department_id,
            "summary": summary,
            **data,
        },
    )


def _lock_handoff(handoff: Handoff) -> Handoff:
    # The case first, then the handoff: the order propose_resolution takes them in, so the
    # two never deadlock. `of=("self",)`: PostgreSQL cannot lock the nullable side of the
    # outer join to the assignee.
    case = Case.objects.select_for_update().get(pk=handoff.case_id)
    locked = (
        Handoff.objects.select_for_update(of=("self",))
        .select_related("department", "requested_by", "assignee")
        .get(pk=handoff.pk)
    )
    locked.case = case
    return locked


def _move_handoff(handoff: Handoff, status: str) -> None:
    if not handoff.can_move_to(status):
        raise InvalidTransition(
            f"This handoff is {handoff.get_status_display().lower()}; it cannot become "
            f"{HandoffStatus(status).label.lower()}."
        )
    handoff.status = status
    handoff.updated = timezone.now()


def _require_member(handoff: Handoff, user: User) -> None:
    require_agent(user)
    department_ids = set(user.departments.values_list("pk", flat=True))
    if not works_in(handoff, user, department_ids):
        raise NotAllowed(f"Only {handoff.department.name} can work on this handoff.")


def _return_to_owner(handoff: Handoff, *, actor: User, event: str, text: str) -> None:
    case = handoff.case
    if case.owner_id and case.owner_id != actor.pk:
        verb = "finished" if event == "done" else "declined"
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind=Notice.Kind(f"handoff_{event}"),
            subject=f"{handoff.department.name} {verb} its part of {case.reference}",
            body=text[:500],
            key=f"handoff:{handoff.pk}:{event}:{case.owner_id}",
        )


@transaction.atomic
def request_handoff(
    *,
    case: Case,
    acting_user: User,
    department: Department,
    needed: str,
    customer_summary: str = "",
    due: datetime | None = None,
    assignee: User | None = None,
) -> Handoff:
    """The owner asks another department for a piece of work.

    Who: the case's owner or a manager, on a case that is not closed. Writes: `handoff`
    (internal, event requested) with what is needed.
    """
    case = lock_case(case, None, acting_user, "request_handoff")
    needed = needed.strip()
    if not needed:
        raise CaseError("Say what the department should do.")
    if assignee is not None and not (
        assignee.is_active and assignee.departments.filter(pk=department.pk).exists()
    ):
        raise CaseError(f"{assignee} is not an active member of {department.name}.")
    handoff = Handoff.objects.create(
        case=case,
        requested_by=acting_user,
        department=department,
        assignee=assignee,
        needed=needed,
        customer_summary=customer_summary.strip()[:200],
        due=due,
    )
    earlier = (
        Handoff.objects.filter(case=case, department=department).exclude(pk=handoff.pk).count()
    )
    _entry(
        handoff,
        actor=acting_user,
        event="requested",
        body=needed,
        due=due.isoformat() if due else None,
        assignee=assignee.full_name if assignee else None,
        repeat=earlier > 0,
    )
    touch(case, bump=False)
    note_bounce(case)
    for member in _notify_targets(handoff):
        outbox.notify_in_app(
            recipient=member,
            case=case,
            kind=Notice.Kind.HANDOFF_REQUESTED,
            subject=f"{case.owner or acting_user} asks {department.name}: {case.reference}",
            body=needed[:500],
            key=f"handoff:{handoff.pk}:requested:{member.pk}",
        )
    return handoff


def _notify_targets(handoff: Handoff) -> list[User]:
    if handoff.assignee_id:
        return [handoff.assignee]
    lead = handoff.department.lead
    return [lead] if lead and lead.is_active else []


@transaction.atomic
def accept_handoff(*, handoff: Handoff, acting_user: User) -> Handoff:
    """A member of the department takes the work on (and becomes its assignee).

    Who: an agent of the target department (or a manager). Writes: `handoff` (accepted).
    """
    handoff = _lock_handoff(handoff)
    _require_member(handoff, acting_user)
    _move_handoff(handoff, HandoffStatus.ACCEPTED)
    handoff.accepted_at = handoff.updated
    if handoff.assignee_id is None:
        handoff.assignee = acting_user
    handoff.save()
    _entry(handoff, actor=acting_user, event="accepted", assignee=handoff.assignee.full_name)
    touch(handoff.case, bump=False)
    return handoff


@transaction.atomic
def complete_handoff(
    *, handoff: Handoff, acting_user: User, result: str, customer_summary: str | None = None
) -> Handoff:
    """The department's part is done; it goes back to the owner with the result.

    Who: an agent of the target department (or a manager). Writes: `handoff` (done, the
    result as its body); in-app notice to the owner. The case's status does not change.
    """
    handoff = _lock_handoff(handoff)
    _require_member(handoff, acting_user)
    result = result.strip()
    if not result:
        raise CaseError("Say what was done, for the owner and the other departments.")
    _move_handoff(handoff, HandoffStatus.DONE)
    handoff.result = result
    handoff.finished_at = handoff.updated
    if handoff.assignee_id is None:
        handoff.assignee = acting_user
    if customer_summary is not None and customer_summary.strip():
        handoff.customer_summary = customer_summary.strip()[:200]
    handoff.save()
    _entry(
        handoff,
        actor=acting_user,
        event="done",
        body=result,
        customer_summary=handoff.customer_summary,
    )
    touch(handoff.case, bump=False)
    _return_to_owner(handoff, actor=acting_user, event="done", text=result)
    return handoff


@transaction.atomic
def decline_handoff(*, handoff: Handoff, acting_user: User, reason: str) -> Handoff:
    """The department cannot do it; the reason goes back to the owner.

    Who: an agent of the target department (or a manager). A reason is required.
    Writes: `handoff` (declined, the reason as its body); in-app notice to the owner.
    """
    handoff = _lock_handoff(handoff)
    _require_member(handoff, acting_user)
    reason = reason.strip()
    if not reason:
        raise CaseError("Say why the handoff is declined: the owner has to find another way.")
    _move_handoff(handoff, HandoffStatus.DECLINED)
    handoff.decline_reason = reason
    handoff.finished_at = handoff.updated
    handoff.save()
    _entry(handoff, actor=acting_user, event="declined", body=reason)
    touch(handoff.case, bump=False)
    _return_to_owner(handoff, actor=acting_user, event="declined", text=reason)
    return handoff


@transaction.atomic
def cancel_handoff(*, handoff: Handoff, acting_user: User | None, note: str = "") -> Handoff:
    """The owner no longer needs the work.

    Who: the case's owner or a manager; None when the system cancels it because the case
    ended (the customer confirmed the fix). Writes: `handoff` (cancelled, the note as body).
    """
    handoff = _lock_handoff(handoff)
    if acting_user is not None:
        require(handoff.case, acting_user, "cancel_handoff")
    _move_handoff(handoff, HandoffStatus.CANCELLED)
    handoff.finished_at = handoff.updated
    handoff.save()
    _entry(handoff, actor=acting_user, event="cancelled", body=note.strip())
    touch(handoff.case, bump=False)
    return handoff


def cancel_open_handoffs(*, case: Case, acting_user: User | None, note: str) -> int:
    """Cancel every open handoff of a case (used when the owner resolves it anyway)."""
    cancelled = 0
    for handoff in Handoff.objects.open().filter(case=case).order_by("pk"):
        cancel_handoff(handoff=handoff, acting_user=acting_user, note=note)
        cancelled += 1
    return cancelled
