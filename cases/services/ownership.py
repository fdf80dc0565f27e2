"""Who owns a case: taken from triage, transferred, inherited when an owner leaves.

A case has exactly one owner once triaged (a database constraint says so); every change
of hands is a public `ownership_change` entry, so the customer always knows who owns
their problem, and keeps the bounce data current.
"""

from django.db import transaction
from django.utils import timezone

from cases.models import Case, EntryKind, Status, TimelineEntry, Visibility
from cases.services.bounces import note_bounce
from cases.services.core import conflict_message, department_of, lock_case, touch, write_entry
from cases.services.errors import CaseError, Conflict, NotAllowed
from cases.services.permissions import require_agent
from cases.services.transitions import move, status_entry
from helpdesk.accounts.models import User
from notifications import outbox
from notifications.models import Notice


def _set_owner(case: Case, owner: User) -> None:
    case.owner = owner
    case.owning_department = department_of(owner, prefer=case.owning_department)
    case.ownership_lapsed = False
    if case.first_owned_at is None:
        case.first_owned_at = timezone.now()
        case.first_department = case.owning_department


def _validate_new_owner(owner: User) -> None:
    if not (owner.is_active and owner.is_agent):
        raise CaseError(f"{owner} is not an active agent and cannot own a case.")


def _ownership_entry(
    case: Case, *, previous: User | None, actor: User | None, body: str = "", **data
):
    """The public `ownership_change` entry; a change of hands may make the case bounce."""
    owner = case.owner
    entry = write_entry(
        case=case,
        kind=EntryKind.OWNERSHIP_CHANGE,
        actor=actor,
        visibility=Visibility.PUBLIC,
        body=body,
        data={
            "from": previous.pk if previous else None,
            "from_name": previous.full_name if previous else None,
            "to": owner.pk,
            "to_name": owner.full_name,
            "department": case.owning_department.name if case.owning_department else None,
            **data,
        },
    )
    if previous is not None:
        # A case's first owner (from nobody: it was new) cannot make it bounce.
        note_bounce(case)
    return entry


def give_to(
    case: Case, *, owner: User, actor: User | None, summary: str, body: str = ""
) -> TimelineEntry:
    """Make `owner` the case's one owner; a new case opens. Writes the public
    `ownership_change` (with `body`, words for the customer, if any) and `status_change`
    new → open."""
    previous = case.owner
    _set_owner(case, owner)
    fields = ["owner", "owning_department", "first_owned_at", "first_department"]
    old = move(case, Status.OPEN) if case.status == Status.NEW else None
    touch(case, fields=[*fields, "ownership_lapsed", *(["status"] if old else [])])
    entry = _ownership_entry(case, previous=previous, actor=actor, summary=summary, body=body)
    if old is not None:
        status_entry(case, actor=actor, old=old, new=case.status)
    return entry


@transaction.atomic
def take_ownership(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """An agent takes an unowned case from triage and becomes its one accountable owner.

    Who: any active agent, only while the case has no owner (otherwise it is a transfer).
    Writes: `ownership_change` (public: the customer learns who owns their problem) and
    `status_change` new → open.
    """
    require_agent(acting_user)
    case = lock_case(case, None)
    if case.owner_id == acting_user.pk:
        if case.ownership_lapsed:
            # The lead who inherited it keeps it for real: it is no longer lapsed.
            case.ownership_lapsed = False
            touch(case, fields=["ownership_lapsed"])
            write_entry(
                case=case,
                kind=EntryKind.INTERNAL_NOTE,
                actor=acting_user,
                visibility=Visibility.INTERNAL,
                body=f"{acting_user.full_name} keeps the case as its owner.",
                data={"kept": True, "summary": "inherited ownership kept"},
            )
        return case  # otherwise a double click, not a conflict
    # Already owned is its own reason, whether or not the page was stale.
    if case.owner_id is not None:
        raise Conflict(
            f"{case.reference} is already owned by {case.owner}. Ask them or a manager "
            "to transfer it.",
            case=case,
        )
    if expected_version is not None and case.version != expected_version:
        raise Conflict(conflict_message(case), case=case)
    give_to(case, owner=acting_user, actor=acting_user, summary=f"taken by {acting_user.full_name}")
    return case


@transaction.atomic
def transfer_ownership(
    *, case: Case, acting_user: User, to: User, reason: str, expected_version: int | None
) -> Case:
    """Hand the whole case to another agent, who becomes its one owner.

    Who: the owner or a manager; any agent while the case is still unowned (triage); never
    on a closed case. Writes: `ownership_change` (public), an `internal_note` with the
    reason, and an in-app notice to the new owner.
    """
    require_agent(acting_user)
    reason = reason.strip()
    if not reason:
        raise CaseError("Say why the case is transferred: the new owner reads it first.")
    case = lock_case(case, expected_version, acting_user, "transfer")
    _validate_new_owner(to)
    if case.owner_id == to.pk:
        raise CaseError(f"{to} already owns {case.reference}.")
    entry = give_to(case, owner=to, actor=acting_user, summary=f"transferred to {to.full_name}")
    # Why it moved is for staff; the customer sees only who owns it now.
    write_entry(
        case=case,
        kind=EntryKind.INTERNAL_NOTE,
        actor=acting_user,
        visibility=Visibility.INTERNAL,
        body=f"Transferred to {to.full_name}: {reason}",
        data={"transfer_entry": entry.pk},
    )
    outbox.notify_in_app(
        recipient=to,
        case=case,
        kind=Notice.Kind.CASE_TRANSFERRED,
        subject=f"You now own {case.reference}: {case.title}",
        body=f"{acting_user.full_name}: {reason}",
        key=f"case:{case.pk}:transferred:{entry.pk}:{to.pk}",
    )
    return case


@transaction.atomic
def deactivate_agent(*, agent: User, acting_user: User | None) -> list[Case]:
    """Deactivate an agent; each of their open cases moves to a lead in the same transaction.

    Who: a manager, or the system/admin (acting_user None means an administrator).
    Writes on each case: `ownership_change` (public) with the reason "previous owner
    deactivated", plus an in-app notice to the lead. Refuses when no active lead or manager
    can take the cases, so ownership never lapses.
    """
    if acting_user is not None and not (acting_user.is_manager or acting_user.is_superuser):
        raise NotAllowed("Only a manager can deactivate an agent.")
    agent = User.objects.select_for_update().get(pk=agent.pk)
    moved = []
    cases = (
        Case.objects.select_for_update()
        .filter(owner=agent)
        .exclude(status=Status.CLOSED)
        .order_by("pk")
    )
    for case in cases:
        hand_to_successor(case, leaving=agent)
        touch(case, fields=["owner", "owning_department", "ownership_lapsed"])
        write_inheritance(case, leaving=agent, acting_user=acting_user)
        moved.append(case)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    return moved


def hand_to_successor(case: Case, *, leaving: User) -> User:
    """Give a leaving owner's case to a lead or manager (unsaved); refuse rather than let
    it lapse."""
    lead = _successor(case, leaving)
    if lead is None:
        raise CaseError(
            f"No active lead or manager can take {case.reference}; appoint a department "
            "lead before deactivating."
        )
    case.owner = lead
    case.owning_department = department_of(lead, prefer=case.owning_department)
    case.ownership_lapsed = True
    return lead


def write_inheritance(case: Case, *, leaving: User, acting_user: User | None) -> None:
    """The public `ownership_change` and the new owner's in-app notice after a handover."""
    lead = case.owner
    entry = _ownership_entry(
        case,
        previous=leaving,
        actor=acting_user,
        lapsed=True,
        summary=f"moved to {lead.full_name} (previous owner deactivated)",
    )
    outbox.notify_in_app(
        recipient=lead,
        case=case,
        kind=Notice.Kind.CASE_INHERITED,
        subject=f"You now own {case.reference}: {case.title}",
        body=f"{leaving.full_name} was deactivated. Please review or transfer the case.",
        key=f"case:{case.pk}:inherited:{entry.pk}:{lead.pk}",
    )


def _successor(case: Case, leaving: User) -> User | None:
    candidates = []
    if case.owning_department and case.owning_department.lead:
        candidates.append(case.owning_department.lead)
    candidates += [d.lead for d in leaving.departments.select_related("lead") if d.lead]
    for candidate in candidates:
        if candidate.pk != leaving.pk and candidate.is_active and candidate.is_agent:
            return candidate
    return (
        User.objects.filter(role=User.Role.MANAGER, is_active=True)
        .exclude(pk=leaving.pk)
        .order_by("pk")
        .first()
    )
