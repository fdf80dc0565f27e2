"""Moving a case from one status to another, and the timeline entry that says so.

The allowed moves are the model's transition table (`cases.models.TRANSITIONS`); a fix
proposed or a case closed settles its promises; the confirmation clock starts at each
proposal.
"""

from django.utils import timezone

from cases.models import Case, EntryKind, Status, TimelineEntry, Visibility
from cases.services.core import write_entry
from cases.services.errors import InvalidTransition
from cases.services.promises import settle_promises
from helpdesk.accounts.models import User


def move(case: Case, new_status: str) -> str:
    """Set the new status (unsaved) and return the old one; refuse a move the table lacks."""
    if not case.can_move_to(new_status):
        raise InvalidTransition(
            f"A case that is {case.get_status_display().lower()} cannot become "
            f"{Status(new_status).label.lower()}."
        )
    old = case.status
    case.status = new_status
    if new_status in (Status.PENDING_CONFIRMATION, Status.CLOSED):
        settle_promises(case)
    # The confirmation clock (one reminder, then closed) starts at each proposal.
    case.pending_since = timezone.now() if new_status == Status.PENDING_CONFIRMATION else None
    if new_status == Status.CLOSED:
        case.closed_at = timezone.now()
    elif old == Status.CLOSED:
        case.closed_at = None
    return old


def status_entry(
    case: Case, *, actor: User | None, old: str, new: str, body: str = "", public: bool = True
) -> TimelineEntry:
    """The `status_change` entry for a move, with the words the actor wrote."""
    summary = f"{Status(old).label} → {Status(new).label}"
    return write_entry(
        case=case,
        kind=EntryKind.STATUS_CHANGE,
        actor=actor,
        visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        body=body,
        data={"from": old, "to": new, "summary": summary},
    )
