"""SLA steps and promises: the owner warned early, the customer told before the deadline.

`apply_step` is called by the sweep (`notifications.sweep`) with the case row locked; each
step happens once per due time, guaranteed by the `sla_event_once` constraint. The owner's
own actions (`send_delay_notice`, `set_eta`) live here too, since they answer the same
clocks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from cases import clocks, services, sla
from cases.models import (
    Case,
    EntryKind,
    Handoff,
    Promise,
    SLAEvent,
    SLAStep,
    SLATarget,
    Status,
    Visibility,
)
from cases.services import (
    CaseError,
    _lock,
    _require_owner_or_manager,
    write_entry,
)
from helpdesk.accounts.models import User
from notifications import outbox

STATUS_WORDS = {
    Status.NEW: "We have your case and are assigning it to the right person.",
    Status.OPEN: "We're working on it.",
    Status.WAITING_ON_CUSTOMER: "We're waiting for your reply.",
    Status.PENDING_CONFIRMATION: "We think it's fixed: please confirm.",
    Status.CLOSED: "Closed.",
}
TARGET_WORDS = {
    SLATarget.FIRST_RESPONSE: "first response",
    SLATarget.NEXT_UPDATE: "next update",
    SLATarget.RESOLUTION: "resolution",
}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "soon"
    return date_format(timezone.localtime(moment), "D j M, H:i T")


def _record(case: Case, target: str, due: datetime, step: str, *, by_owner=False) -> bool:
    """Claim one step for one due time; False when it was done before.

    One statement, no savepoint: the sweep claims thousands of steps in a busy minute.
    """
    table = SLAEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (case_id, target, due, step, by_owner, created) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (case_id, target, due, step) DO NOTHING RETURNING id",
            [case.pk, target, due, step, by_owner, timezone.now()],
        )
        return cursor.fetchone() is not None


def customer_facts(case: Case, *, next_contact: datetime | None) -> str:
    """Where the case stands, in customer-safe words only (no internal entry, ever)."""
    lines = [f"Status: {STATUS_WORDS[case.status]}"]
    summaries = [
        f"With our {h.department.name} team: {h.customer_summary}"
        for h in Handoff.objects.open().filter(case=case).select_related("department")
        if h.customer_summary
    ]
    lines += summaries
    if case.owner:
        department = f", {case.owning_department.name}" if case.owning_department else ""
        lines.append(f"Your case is owned by {case.owner.full_name}{department}.")
    lines.append(f"You will hear from us next by {_when(next_contact)}.")
    return "\n".join(lines)


def _staff_to_warn(case: Case, now: datetime, quiet_since: datetime) -> list[User]:
    if case.owner_id:
        people = [case.owner]
        lead = case.owning_department.lead if case.owning_department else None
        # Nobody touched the case for the whole warning window: its lead hears too.
        if lead and lead.is_active and lead.pk != case.owner_id and case.updated <= quiet_since:
            people.append(lead)
        return people
    return list(User.objects.filter(role=User.Role.MANAGER, is_active=True).order_by("pk"))


def apply_step(
    case: Case, threshold: clocks.Threshold, targets: sla.Targets | None, *, now: datetime
) -> bool:
    """Do one sweep step for a locked case. Who: the system. Returns whether it acted.

    Writes: `sla_warning` (internal) with in-app and email notices to the owner (and lead);
    `delay_notice` (public) with a throttled email to the customer; `sla_breached`
    (internal) saying whether the customer had been told beforehand.
    """
    target, step, due = threshold.target, threshold.step, threshold.due
    if step == SLAStep.CUSTOMER_NOTIFIED and case.status not in clocks.RUNNING:
        return False
    if not _record(case, target, due, step):
        return False
    if step == SLAStep.REMINDED:
        _remind_to_confirm(case, now)
    elif step == SLAStep.AUTO_CLOSED:
        services.auto_close(case)
    elif step == SLAStep.OWNER_WARNED:
        _warn_staff(case, target, due, now, quiet_since=now - targets.warn_owner_lead)
    elif step == SLAStep.CUSTOMER_NOTIFIED:
        _tell_customer(case, target, due, now)
    else:
        told = SLAEvent.objects.filter(
            case=case, target=target, due=due, step=SLAStep.CUSTOMER_NOTIFIED, created__lte=due
        ).exists()
        write_entry(
            case=case,
            kind=EntryKind.SLA_BREACHED,
            actor=None,
            visibility=Visibility.INTERNAL,
            data={
                "target": target,
                "due": due.isoformat(),
                "customer_told_before": told,
                "summary": f"{TARGET_WORDS[target]} target missed"
                + ("" if told else " without telling the customer first"),
            },
        )
    return True


def _remind_to_confirm(case: Case, now: datetime) -> None:
    """The one reminder: never a string of "can I close it?" messages."""
    closes = now + timedelta(days=settings.CONFIRMATION_CLOSE_DAYS)
    body = (
        f'We proposed a fix for your case "{case.title}" and have not heard back. '
        "Is it fixed? Please confirm on the case page, or tell us it is still broken.\n\n"
        f"If we do not hear from you, we will close the case on {_when(closes)}. "
        "This is the only reminder we send."
    )
    entry = write_entry(
        case=case,
        kind=EntryKind.CONFIRMATION,
        actor=None,
        visibility=Visibility.PUBLIC,
        body=body,
        data={"reminder": True, "closes": closes.isoformat(), "summary": "reminder sent"},
    )
    services.email_customer(
        case,
        entry,
        f"Is it fixed? Please confirm: {case.title}",
        kind="confirmation_reminder",
        claimed=True,
    )


def _warn_staff(case: Case, target: str, due: datetime, now: datetime, quiet_since) -> None:
    if target == SLATarget.NEXT_UPDATE:
        subject = f"{case.reference} is due an update to the customer now"
        body = (
            f"The customer of {case.reference} ({case.title}) has not heard from us since "
            f"{_when(case.last_public_update)}. Write to them, or they get an automatic status "
            "update shortly."
        )
    elif due <= now:
        subject = f"{case.reference} missed its {TARGET_WORDS[target]} target ({_when(due)})"
        body = "Tell the customer where it stands and when it will be done, or resolve it."
    else:
        left = int((due - now).total_seconds() // 60)
        subject = (
            f"{case.reference} will miss its {TARGET_WORDS[target]} target at {_when(due)} "
            f"(in {left // 60}h {left % 60:02d}m)"
        )
        body = (
            "Tell the customer about the delay, or resolve it. If you do nothing, the "
            "customer is told automatically before the deadline."
        )
    write_entry(
        case=case,
        kind=EntryKind.SLA_WARNING,
        actor=None,
        visibility=Visibility.INTERNAL,
        body=body,
        data={"target": target, "due": due.isoformat(), "summary": subject},
    )
    for person in _staff_to_warn(case, now, quiet_since):
        key = f"case:{case.pk}:warn:{target}:{due.isoformat()}:{person.pk}"
        outbox.notify_in_app(
            recipient=person,
            case=case,
            kind="sla_warning",
            subject=subject,
            body=body,
            key=key,
            claimed=True,
        )
        outbox.notify_by_email(
            recipient=person,
            case=case,
            kind="sla_warning",
            subject=subject,
            body=body,
            key=f"{key}:email",
            claimed=True,
        )


def _tell_customer(case: Case, target: str, due: datetime, now: datetime) -> None:
    # The customer hears from us now: the update clock starts again from here, so the
    # notice names the next update's real time, never a time (or a promise) already past.
    if case.first_responded_at is not None:
        case.last_public_update = now
        clocks.refresh_clocks(case, now=now)
    upcoming = [t for t in (case.eta, case.next_update_due) if t is not None and t > now]
    next_contact = upcoming[0] if upcoming else due
    if target == SLATarget.NEXT_UPDATE:
        subject = f"An update on your case: {case.title}"
        opening = "A short update on your case, as promised."
    else:
        subject = "Your case will take longer than we promised"
        opening = (
            f'Your case "{case.title}" will take longer than we promised '
            f"({_when(due)}). We would rather tell you now than let the time pass."
        )
    body = f"{opening}\n\n{customer_facts(case, next_contact=next_contact)}"
    entry = write_entry(
        case=case,
        kind=EntryKind.DELAY_NOTICE,
        actor=None,
        visibility=Visibility.PUBLIC,
        body=body,
        data={
            "target": target,
            "due": due.isoformat(),
            "automatic": True,
            "summary": f"customer told about the {TARGET_WORDS[target]} delay",
        },
    )
    services.email_customer(case, entry, subject, kind="delay_notice", urgent=True, claimed=True)


# --- the owner's promises -------------------------------------------------------------


@transaction.atomic
def send_delay_notice(*, case: Case, acting_user: User, message: str, new_eta: datetime) -> Case:
    """The owner tells the customer about a delay, with a new estimate; sent at once.

    Who: the owner or a manager. Writes: `delay_notice` and `eta_change` (public); an
    email to the customer; and marks the current due times as told, so the sweep's
    automatic notice does not follow.
    """
    case = _lock(case, None)
    _require_owner_or_manager(case, acting_user, "tell the customer about a delay")
    message = message.strip()
    if not message:
        raise CaseError("Tell the customer what is happening.")
    if new_eta <= timezone.now():
        raise CaseError("The new estimate must be in the future.")
    if case.status not in clocks.RUNNING and case.status != Status.WAITING_ON_CUSTOMER:
        raise CaseError("Only a case we are still working on can be delayed.")
    for target, due in (
        (SLATarget.FIRST_RESPONSE, case.first_response_due),
        (SLATarget.RESOLUTION, case.resolution_due),
        (SLATarget.NEXT_UPDATE, case.next_update_due),
    ):
        if due is not None:
            _record(case, target, due, SLAStep.CUSTOMER_NOTIFIED, by_owner=True)
    body = f"{message}\n\nNew estimate: {_when(new_eta)}."
    entry = write_entry(
        case=case,
        kind=EntryKind.DELAY_NOTICE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        data={"automatic": False, "eta": new_eta.isoformat(), "summary": "delay notice sent"},
    )
    _promise(case, acting_user=acting_user, eta=new_eta)
    _public_word(case)
    services.email_customer(
        case, entry, "A delay on your case, and a new estimate", kind="delay_notice", urgent=True
    )
    return case


@transaction.atomic
def set_eta(*, case: Case, acting_user: User, eta: datetime) -> Case:
    """Promise the customer a time. Who: the owner or a manager.

    Writes: `eta_change` (public); every promise is kept on the timeline for the
    promises-kept report.
    """
    case = _lock(case, None)
    _require_owner_or_manager(case, acting_user, "set the estimate")
    if eta <= timezone.now():
        raise CaseError("The estimate must be in the future.")
    if not case.is_open:
        raise CaseError("A closed case needs no estimate.")
    _promise(case, acting_user=acting_user, eta=eta)
    case.save(update_fields=["eta", "updated"])
    return case


def _promise(case: Case, *, acting_user: User, eta: datetime) -> None:
    previous = case.eta
    services.settle_promises(case, replaced=True)
    Promise.objects.create(
        case=case,
        made_by=acting_user,
        department=services._department_of(acting_user, prefer=case.owning_department),
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
            "summary": f"estimate set to {_when(eta)}",
        },
    )


def _public_word(case: Case) -> None:
    now = timezone.now()
    if case.first_responded_at is None:
        case.first_responded_at = now
    case.last_public_update = now
    case.updated = now
    fields = {"eta", "updated", "first_responded_at", "last_public_update"}
    fields.update(clocks.refresh_clocks(case, now=now))
    case.save(update_fields=sorted(fields))
