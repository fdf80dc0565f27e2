"""A case's life after triage: priority, waiting on the customer, proposing the fix,
reopening, closing, the customer's confirmation and the closing after no answer.

Only the owner (or a manager) steers; a department never closes the customer's case.
"""

from django.db import transaction

from cases.models import Case, EntryKind, Handoff, Priority, Status, Visibility
from cases.services import handoffs
from cases.services.core import email_customer, lock_case, tell_owner, touch, write_entry
from cases.services.errors import CaseError, OpenHandoffs
from cases.services.ownership import hand_to_successor, write_inheritance
from cases.services.permissions import require_agent
from cases.services.transitions import move, status_entry
from helpdesk.accounts.models import User
from notifications.models import Notice

CLOSED_AFTER_PROPOSAL = (
    "We closed your case after proposing a fix. If it is still not fixed, reply and it "
    "reopens with the same owner."
)


@transaction.atomic
def change_priority(
    *, case: Case, acting_user: User, priority: int, expected_version: int | None
) -> Case:
    """Who: the owner or a manager; any agent while the case is unowned (triage); never
    on a closed case.

    Writes: `priority_change` (internal).
    """
    require_agent(acting_user)
    case = lock_case(case, expected_version, acting_user, "priority")
    priority = Priority(int(priority))
    if case.priority == priority:
        return case
    old = Priority(case.priority)
    case.priority = priority
    touch(case, fields=["priority"])
    write_entry(
        case=case,
        kind=EntryKind.PRIORITY_CHANGE,
        actor=acting_user,
        visibility=Visibility.INTERNAL,
        data={
            "from": int(old),
            "to": int(priority),
            "summary": f"priority {old.label} → {priority.label}",
        },
    )
    return case


@transaction.atomic
def wait_on_customer(
    *, case: Case, acting_user: User, expected_version: int | None, message: str = ""
) -> Case:
    """We need something from the customer; the SLA clock pauses.

    Who: the owner or a manager. Writes: `status_change` open → waiting (public), with the
    optional message telling the customer what we need.
    """
    case = lock_case(case, expected_version, acting_user, "wait")
    old = move(case, Status.WAITING_ON_CUSTOMER)
    touch(case, fields=["status"], public_update=bool(message.strip()))
    entry = status_entry(case, actor=acting_user, old=old, new=case.status, body=message)
    email_customer(case, entry, f"We need something from you: {case.title}")
    return case


@transaction.atomic
def resume(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """Stop waiting on the customer. Who: the owner or a manager. Writes: `status_change`."""
    case = lock_case(case, expected_version, acting_user, "resume")
    old = move(case, Status.OPEN)
    touch(case, fields=["status"])
    status_entry(case, actor=acting_user, old=old, new=case.status)
    return case


@transaction.atomic
def propose_resolution(
    *,
    case: Case,
    acting_user: User,
    body: str,
    expected_version: int | None,
    cancel_open_handoffs: bool = False,
) -> Case:
    """The owner believes it is fixed and asks the customer to confirm.

    Who: the owner or a manager (never another department). Open handoffs refuse it
    unless `cancel_open_handoffs` confirms they should be cancelled (each gets a
    `handoff` cancelled entry). Writes: `status_change` to pending confirmation (public),
    its body explaining the fix.
    """
    case = lock_case(case, expected_version, acting_user, "propose")
    body = body.strip()
    if not body:
        raise CaseError("Tell the customer what was done, so they can confirm it.")
    still_open = Handoff.objects.open().filter(case=case).count()
    if still_open and not cancel_open_handoffs:
        are, them = ("s are", "them") if still_open > 1 else (" is", "it")
        raise OpenHandoffs(
            f"{still_open} handoff{are} still open. Confirm to cancel {them} and propose "
            "the resolution anyway."
        )
    if still_open:
        handoffs.cancel_open_handoffs(
            case=case, acting_user=acting_user, note="Cancelled: the owner proposed a resolution."
        )
    old = move(case, Status.PENDING_CONFIRMATION)
    touch(case, fields=["status"], public_update=True)
    entry = status_entry(case, actor=acting_user, old=old, new=case.status, body=body)
    email_customer(case, entry, f"Is it fixed? Please confirm: {case.title}")
    return case


def reopen_locked(case: Case, *, actor: User | None, reason: str) -> None:
    """Back to open with the same owner (a locked case, pending confirmation or closed).

    Writes `reopen` and `status_change` to open (public); when the owner has left since,
    the case passes to their lead with a public `ownership_change`.
    """
    old = move(case, Status.OPEN)
    fields = ["status", "closed_at"]
    # A closed case keeps its owner after they leave; open again, it needs an active one.
    leaving = (
        case.owner if case.owner and not (case.owner.is_active and case.owner.is_agent) else None
    )
    if leaving is not None:
        hand_to_successor(case, leaving=leaving)
        fields += ["owner", "owning_department", "ownership_lapsed"]
    touch(case, fields=fields)
    write_entry(
        case=case,
        kind=EntryKind.REOPEN,
        actor=actor,
        visibility=Visibility.PUBLIC,
        body=reason,
        data={"from": old, "summary": "reopened"},
    )
    if leaving is not None:
        # The system moved it, not whoever wrote: the entry has no actor.
        write_inheritance(case, leaving=leaving, acting_user=None)
    status_entry(case, actor=actor, old=old, new=case.status)


@transaction.atomic
def reopen(*, case: Case, acting_user: User, reason: str, expected_version: int | None) -> Case:
    """Back to work with the same owner after a proposed or confirmed resolution.

    Who: the owner or a manager, or the customer ("still broken"). Writes: `reopen` and
    `status_change` to open (public).
    """
    case = lock_case(case, expected_version, acting_user, "reopen")
    reopen_locked(case, actor=acting_user, reason=reason.strip())
    if acting_user.is_customer:
        tell_owner(
            case,
            actor=acting_user,
            kind=Notice.Kind.CUSTOMER_REOPENED,
            subject=f"{acting_user.full_name} says {case.reference} is still broken",
            body=reason.strip()[:500] or "No details given.",
            key=f"case:{case.pk}:customer_reopened:{case.version}",
        )
    return case


@transaction.atomic
def close_case(*, case: Case, acting_user: User, reason: str, expected_version: int | None) -> Case:
    """Close a case. The normal path is the customer's confirmation; this is the owner's.

    Who: the owner or a manager. A reason is required unless the customer was asked to
    confirm already. Open handoffs are cancelled (a `handoff` cancelled entry each): no
    department keeps working on a closed case. Writes: `status_change` to closed (public),
    and tells the customer by email with the reason.
    """
    case = lock_case(case, expected_version, acting_user, "close")
    reason = reason.strip()
    if not reason and case.status != Status.PENDING_CONFIRMATION:
        raise CaseError("Say why the case is closed without the customer's confirmation.")
    _cancel_handoffs(case, acting_user, "Cancelled: the case was closed.")
    old = move(case, Status.CLOSED)
    touch(case, fields=["status", "closed_at"])
    entry = status_entry(
        case, actor=acting_user, old=old, new=case.status, body=reason or CLOSED_AFTER_PROPOSAL
    )
    email_customer(case, entry, f"Your case is closed: {case.title}")
    return case


@transaction.atomic
def confirm_resolution(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """The customer says it is fixed: the only way a case is closed by its customer.

    Who: a customer of the case's organisation. Writes: `confirmation` and `status_change`
    to closed (public).
    """
    case = lock_case(case, expected_version, acting_user, "confirm")
    _cancel_handoffs(case, None, "Cancelled: the customer confirmed the fix.")
    old = move(case, Status.CLOSED)
    touch(case, fields=["status", "closed_at"])
    write_entry(
        case=case,
        kind=EntryKind.CONFIRMATION,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={"summary": "customer confirmed the fix"},
    )
    status_entry(case, actor=acting_user, old=old, new=case.status)
    tell_owner(
        case,
        actor=acting_user,
        kind=Notice.Kind.CUSTOMER_CONFIRMED,
        subject=f"{acting_user.full_name} confirmed the fix on {case.reference}",
        body=f'"{case.title}" is closed: the customer says it is fixed.',
        key=f"case:{case.pk}:customer_confirmed:{case.version}",
    )
    return case


def auto_close(case: Case) -> None:
    """Close a case pending confirmation that got no answer after one reminder.

    Who: the system (the sweep), with the case locked. Writes: `status_change` to closed
    (public, `data.auto` true).
    """
    _cancel_handoffs(case, None, "Cancelled: the case was closed.")
    old = move(case, Status.CLOSED)
    touch(case, fields=["status", "closed_at"])
    entry = write_entry(
        case=case,
        kind=EntryKind.STATUS_CHANGE,
        actor=None,
        visibility=Visibility.PUBLIC,
        body=(
            "We closed your case because we did not hear back after our reminder. If it is "
            "still not fixed, reply and it reopens with the same owner."
        ),
        data={
            "from": old,
            "to": Status.CLOSED,
            "auto": True,
            "summary": "closed without an answer",
        },
    )
    email_customer(case, entry, f"Your case is closed: {case.title}")


def _cancel_handoffs(case: Case, acting_user: User | None, note: str) -> None:
    """No department keeps working on a case that is resolved or closed."""
    if Handoff.objects.open().filter(case=case).exists():
        handoffs.cancel_open_handoffs(case=case, acting_user=acting_user, note=note)
