"""Promises to the customer: estimates, delay notices, and whether each was kept.

Every estimate is a `Promise` row and a public `eta_change` entry; a promise is settled
when the fix is proposed or the case closes (kept if that came by the promised time), or
replaced by a new estimate (not kept). The promises-kept report reads these rows.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import Value, When
from django.utils import timezone

from cases import clocks
from cases.models import Case, EntryKind, Promise, SLAStep, SLATarget, Visibility
from cases.services.core import department_of, email_customer, lock_case, write_entry
from cases.services.errors import CaseError
from cases.text import say_when
from helpdesk.accounts.models import User
from notifications.models import Notice


def settle_promises(case: Case, *, replaced: bool = False) -> None:
    """Settle the case's open promises: kept when the fix came by the promised time; a
    promise replaced by a new estimate counts as not kept."""
    if case.eta is None:
        return  # nothing was ever promised on this case (every promise sets its eta)
    now = timezone.now()
    kept = (
        Value(False)
        if replaced
        else DbCase(When(eta__gte=now, then=Value(True)), default=Value(False))
    )
    Promise.objects.filter(case=case, settled_at__isnull=True).update(settled_at=now, kept=kept)


def make_promise(case: Case, *, acting_user: User, eta: datetime) -> None:
    """Record a new estimate: the previous one is replaced (not kept), the new one public.
    The same estimate said again (on a call, in a delay notice) stays the one promise."""
    previous = case.eta
    if eta == previous and Promise.objects.filter(case=case, settled_at__isnull=True).exists():
        return
    settle_promises(case, replaced=True)
    Promise.objects.create(
        case=case,
        made_by=acting_user,
        department=department_of(acting_user, prefer=case.owning_department),
        eta=eta,
    )
    case.eta = eta
    case.updated = timezone.now()
    write_entry(
        case=case,
        kind=EntryKind.ETA_CHANGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={
            "eta": eta.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "summary": f"estimate set to {say_when(eta)}",
        },
    )


@transaction.atomic
def send_delay_notice(*, case: Case, acting_user: User, message: str, new_eta: datetime) -> Case:
    """The owner tells the customer about a delay, with a new estimate; sent at once.

    Who: the owner or a manager, on a case we are still working on. Writes:
    `delay_notice` and `eta_change` (public); an email to the customer; and marks the
    current due times as told, so the sweep's automatic notice does not follow.
    """
    case = lock_case(case, None, acting_user, "delay")
    message = message.strip()
    if not message:
        raise CaseError("Tell the customer what is happening.")
    if new_eta <= timezone.now():
        raise CaseError("The new estimate must be in the future.")
    for target, due in (
        (SLATarget.FIRST_RESPONSE, case.first_response_due),
        (SLATarget.RESOLUTION, case.resolution_due),
        (SLATarget.NEXT_UPDATE, case.next_update_due),
    ):
        if due is not None:
            clocks.claim_step(case, target, due, SLAStep.CUSTOMER_NOTIFIED, by_owner=True)
    body = f"{message}\n\nNew estimate: {say_when(new_eta)}."
    entry = write_entry(
        case=case,
        kind=EntryKind.DELAY_NOTICE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        data={"automatic": False, "eta": new_eta.isoformat(), "summary": "delay notice sent"},
    )
    make_promise(case, acting_user=acting_user, eta=new_eta)
    _public_word(case)
    email_customer(
        case,
        entry,
        "A delay on your case, and a new estimate",
        kind=Notice.Kind.DELAY_NOTICE,
        urgent=True,
    )
    return case


@transaction.atomic
def set_eta(*, case: Case, acting_user: User, eta: datetime) -> Case:
    """Promise the customer a time. Who: the owner or a manager, on a case we are still
    working on.

    Writes: `eta_change` (public); every promise is kept on the timeline for the
    promises-kept report.
    """
    case = lock_case(case, None, acting_user, "eta")
    if eta <= timezone.now():
        raise CaseError("The estimate must be in the future.")
    make_promise(case, acting_user=acting_user, eta=eta)
    case.save(update_fields=["eta", "updated"])
    return case


def _public_word(case: Case) -> None:
    now = timezone.now()
    if case.first_responded_at is None:
        case.first_responded_at = now
    case.last_public_update = now
    case.quiet_updates = 0
    case.updated = now
    fields = {"eta", "updated", "first_responded_at", "last_public_update"}
    fields.update(clocks.refresh_clocks(case, now=now))
    case.save(update_fields=sorted(fields))
