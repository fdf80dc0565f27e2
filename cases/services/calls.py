"""The phone as a channel. "Who calls who makes all the difference": an owner warned of a
coming delay is asked to call first when the customer prefers the phone or the case is
urgent (a call task, due before the written notice would go); calls in and out are logged
in the customer's words; a customer asking for news (a chase) is counted.

A reached call counts as the customer told: the automatic delay notice for the current
deadlines is not sent (or goes as a short record of the call, if the customer asked for
one). Voicemail or no answer tells nobody: the automatic notice goes as before.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases import clocks
from cases.models import (
    CallDirection,
    CallOutcome,
    CallTask,
    Case,
    EntryKind,
    Priority,
    SLAStep,
    SLATarget,
    TimelineEntry,
    Visibility,
)
from cases.services.core import email_customer, lock_case, tell_owner, touch, write_entry
from cases.services.errors import CaseError
from cases.services.permissions import require
from cases.services.promises import make_promise
from cases.text import say_when
from helpdesk.accounts.models import User
from notifications import outbox
from notifications.models import Notice

CHASE_AGAIN_AFTER = timedelta(hours=1)
# A held automatic update becomes a call task due within the hour, one a day at most.
CALL_INSTEAD_WITHIN = timedelta(hours=1)
CALL_INSTEAD_EVERY = timedelta(days=1)


def wants_a_call(case: Case) -> bool:
    """Call rather than write: the customer prefers the phone, or it is urgent enough."""
    customer = case.customer
    return bool(case.owner_id) and (
        customer.preferred_contact == User.Contact.PHONE or case.priority >= Priority.HIGH
    )


def ask_to_call(case: Case, *, target: str, deadline: datetime, notify_at: datetime) -> None:
    """The owner's early warning, by phone: a call task due before the written notice (the
    sweep, with the case locked; once per deadline)."""
    if not wants_a_call(case) or target == SLATarget.NEXT_UPDATE:
        return
    task, made = CallTask.objects.get_or_create(
        case=case,
        target=target,
        deadline=deadline,
        defaults={"owner": case.owner, "due": notify_at},
    )
    if made:
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind=Notice.Kind.CALL_DUE,
            subject=(
                f"Call {case.customer.full_name} about {case.reference} by {say_when(notify_at)}"
            ),
            body=call_outline(case),
            key=f"case:{case.pk}:call:{task.pk}",
            claimed=True,
        )


def ask_to_call_instead(case: Case, *, deadline: datetime, now: datetime) -> None:
    """The automatic updates of the week are spent and an update is due: the owner is asked
    to call within the hour (at most one such task a day, so a silent week is one call a
    day, never a call every interval)."""
    recent = CallTask.objects.filter(
        case=case, target=SLATarget.NEXT_UPDATE, created__gt=now - CALL_INSTEAD_EVERY
    )
    if case.owner_id is None or recent.exists():
        return
    task, made = CallTask.objects.get_or_create(
        case=case,
        target=SLATarget.NEXT_UPDATE,
        deadline=deadline,
        defaults={"owner": case.owner, "due": now + CALL_INSTEAD_WITHIN},
    )
    if made:
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind=Notice.Kind.CALL_DUE,
            subject=f"Call {case.customer.full_name} about {case.reference}: no more "
            "automatic updates this week",
            body=call_outline(case),
            key=f"case:{case.pk}:call:{task.pk}",
            claimed=True,
        )


def call_outline(case: Case) -> str:
    """What to say: what happened, the estimate, what to offer."""
    lines = [f"{case.title}: the {_late_target(case)} deadline is near."]
    lines.append(
        f"Estimate to give: {say_when(case.eta)}." if case.eta else "Agree a new estimate."
    )
    lines.append("Offer what helps meanwhile: a workaround, a loaner, a new date.")
    return " ".join(lines)


def _late_target(case: Case) -> str:
    if case.first_response_due and (
        case.resolution_due is None or case.first_response_due <= case.resolution_due
    ):
        return "first response"
    return "resolution"


@transaction.atomic
def log_call(
    *,
    case: Case,
    acting_user: User,
    direction: str,
    outcome: str,
    notes: str,
    new_eta: datetime | None = None,
    alternatives: str = "",
    chase: bool = False,
) -> Case:
    """A phone call with the customer, in or out, as the customer reads it.

    Who: the owner or a manager. Writes: `call` (public) in the customer's words, and an
    `eta_change` when a new estimate was agreed. A reached call counts as the customer told
    of the current deadlines (no automatic notice follows) and closes the call task; a
    call the customer made to ask for news (`chase`) is counted as a chase.
    """
    require(case, acting_user, "call")
    case = lock_case(case, None)
    notes, alternatives = notes.strip(), alternatives.strip()
    if direction not in CallDirection.values or outcome not in CallOutcome.values:
        raise CaseError("Say who called and whether you reached them.")
    reached = direction == CallDirection.INBOUND or outcome == CallOutcome.REACHED
    if reached and not notes:
        raise CaseError("Write what you told each other: the customer reads it on their case.")
    if new_eta is not None and new_eta <= timezone.now():
        raise CaseError("The new estimate must be in the future.")
    body = _words(acting_user, direction, outcome, notes, alternatives, new_eta)
    entry = write_entry(
        case=case,
        kind=EntryKind.CALL,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        data={
            "direction": direction,
            "outcome": outcome,
            "alternatives": alternatives,
            "eta": new_eta.isoformat() if new_eta else None,
            "chase": chase and direction == CallDirection.INBOUND,
            "summary": f"{CallDirection(direction).label.lower()}: "
            f"{CallOutcome(outcome).label.lower()}",
        },
    )
    if new_eta is not None:
        make_promise(case, acting_user=acting_user, eta=new_eta)
    if not reached:
        touch(case, fields=["eta"] if new_eta else (), bump=False)
        return case
    for target, due in (
        (SLATarget.FIRST_RESPONSE, case.first_response_due),
        (SLATarget.RESOLUTION, case.resolution_due),
        (SLATarget.NEXT_UPDATE, case.next_update_due),
    ):
        if due is not None:
            clocks.claim_step(case, target, due, SLAStep.CUSTOMER_NOTIFIED, by_owner=True)
    CallTask.objects.filter(case=case, status=CallTask.Status.OPEN).update(
        status=CallTask.Status.DONE, done_at=timezone.now()
    )
    touch(case, fields=["eta"] if new_eta else (), public_update=True)
    if case.customer.call_notes_by_email:
        email_customer(case, entry, f"Notes from our call: {case.title}", kind=Notice.Kind.CALL)
    return case


def _words(actor: User, direction, outcome, notes, alternatives, new_eta) -> str:
    name = actor.full_name
    if direction == CallDirection.INBOUND:
        said = f"You called us. {name}: {notes}"
    elif outcome == CallOutcome.REACHED:
        said = f"{name} called you: {notes}"
    elif outcome == CallOutcome.VOICEMAIL:
        said = f"{name} tried to call you and left a voicemail." + (f" {notes}" if notes else "")
    else:
        said = f"{name} tried to call you but could not reach you."
    if alternatives:
        said += f"\n\nOffered meanwhile: {alternatives}"
    if new_eta is not None:
        said += f"\n\nNew estimate: {say_when(new_eta)}."
    return said


@transaction.atomic
def ask_for_news(*, case: Case, acting_user: User) -> TimelineEntry:
    """The customer asks "any news?" in the portal: a chase, counted, and the owner told.

    Who: a customer of the case's organisation, while we work on it. Asking again within
    the hour adds nothing. Writes: `chase` (public) and an in-app notice to the owner.
    """
    require(case, acting_user, "chase")
    case = lock_case(case, None)
    recent = TimelineEntry.objects.filter(
        case=case, kind=EntryKind.CHASE, created__gt=timezone.now() - CHASE_AGAIN_AFTER
    ).first()
    if recent is not None:
        return recent
    entry = write_entry(
        case=case,
        kind=EntryKind.CHASE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body="",
        data={"chase": True, "summary": "asked for news"},
    )
    touch(case, bump=False)
    tell_owner(
        case,
        actor=acting_user,
        kind=Notice.Kind.CUSTOMER_CHASED,
        subject=f"{acting_user.full_name} asked for news on {case.reference}",
        body="They had to ask: call or write to them now.",
        key=f"case:{case.pk}:chase:{entry.pk}",
    )
    return entry
