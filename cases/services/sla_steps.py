"""The SLA sweep's steps: the owner warned early, the customer told before the deadline,
the breach recorded, the one confirmation reminder, the closing after no answer.

`apply_step` is called by the sweep (`notifications.sweep`) with the case row locked; each
step happens once per due time (`clocks.claim_step`, the `sla_event_once` constraint). The
owner's own answers to the same clocks (a delay notice, an estimate) are in
`cases.services.promises`.
"""

from datetime import datetime, timedelta

from django.conf import settings

from cases import clocks, sla
from cases.models import (
    CUSTOMER_STATUS,
    CallTask,
    Case,
    EntryKind,
    Handoff,
    SLAEvent,
    SLAStep,
    SLATarget,
    TimelineEntry,
    Visibility,
)
from cases.services import calls
from cases.services.core import email_customer, write_entry
from cases.services.lifecycle import auto_close
from cases.text import say_when
from helpdesk.accounts.models import User
from notifications import outbox
from notifications.models import Notice

TARGET_WORDS = {
    SLATarget.FIRST_RESPONSE: "first response",
    SLATarget.NEXT_UPDATE: "next update",
    SLATarget.RESOLUTION: "resolution",
}


def customer_facts(case: Case, *, next_contact: datetime | None) -> str:
    """Where the case stands, in customer-safe words only (no internal entry, ever)."""
    lines = [f"Status: {CUSTOMER_STATUS[case.status]}."]
    lines += [
        handoff.customer_line
        for handoff in Handoff.objects.told_to_customer()
        .filter(case=case)
        .select_related("department")
        .order_by("created", "pk")
    ]
    if case.owner:
        department = f", {case.owning_department.name}" if case.owning_department else ""
        lines.append(f"Your case is owned by {case.owner.full_name}{department}.")
    lines.append(f"You will hear from us next by {say_when(next_contact)}.")
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
    if not clocks.claim_step(case, target, due, step):
        return False
    if step == SLAStep.REMINDED:
        _remind_to_confirm(case, now)
    elif step == SLAStep.AUTO_CLOSED:
        auto_close(case)
    elif step == SLAStep.OWNER_WARNED:
        _warn_staff(case, target, due, now, quiet_since=now - targets.warn_owner_lead)
        calls.ask_to_call(
            case, target=target, deadline=due, notify_at=due - targets.notify_customer_lead
        )
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
        f"If we do not hear from you, we will close the case on {say_when(closes)}. "
        "This is the only reminder we send."
    )
    entry = write_entry(
        case=case,
        kind=EntryKind.CONFIRMATION_REMINDER,
        actor=None,
        visibility=Visibility.PUBLIC,
        body=body,
        data={"closes": closes.isoformat(), "summary": "reminder sent"},
    )
    email_customer(
        case,
        entry,
        f"Is it fixed? Please confirm: {case.title}",
        kind=Notice.Kind.CONFIRMATION_REMINDER,
        claimed=True,
    )


def _warn_staff(case: Case, target: str, due: datetime, now: datetime, quiet_since) -> None:
    if target == SLATarget.NEXT_UPDATE:
        subject = f"{case.reference} is due an update to the customer now"
        body = (
            f"The customer of {case.reference} ({case.title}) has not heard from us since "
            f"{say_when(case.last_public_update)}. Write to them, or they get an automatic status "
            "update shortly."
        )
    elif due <= now:
        subject = f"{case.reference} missed its {TARGET_WORDS[target]} target ({say_when(due)})"
        body = "Tell the customer where it stands and when it will be done, or resolve it."
    else:
        # A moment, never "in 0h 43m": the words are read later than they are written.
        subject = f"{case.reference} will miss its {TARGET_WORDS[target]} target at {say_when(due)}"
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
            kind=Notice.Kind.SLA_WARNING,
            subject=subject,
            body=body,
            key=key,
            claimed=True,
        )
        outbox.notify_by_email(
            recipient=person,
            case=case,
            kind=Notice.Kind.SLA_WARNING,
            subject=subject,
            body=body,
            key=f"{key}:email",
            claimed=True,
        )


def automatic_updates_this_week(case: Case, now: datetime) -> int:
    """Automatic status updates the customer received in the last seven days."""
    return TimelineEntry.objects.filter(
        case=case,
        kind=EntryKind.DELAY_NOTICE,
        data__automatic=True,
        data__target=SLATarget.NEXT_UPDATE,
        created__gt=now - timedelta(days=7),
    ).count()


def _hold_update(case: Case, due: datetime, now: datetime, sent: int) -> None:
    """The week's budget of automatic updates is spent: nothing more by email; the owner
    is asked to speak to the customer in person instead (a call task, at most one a day)."""
    summary = (
        f"{sent} automatic updates in the last 7 days: no more by email this week. "
        "Call the customer, or write to them yourself."
    )
    write_entry(
        case=case,
        kind=EntryKind.SLA_WARNING,
        actor=None,
        visibility=Visibility.INTERNAL,
        data={"target": SLATarget.NEXT_UPDATE, "due": due.isoformat(), "summary": summary},
    )
    if case.owner_id:
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind=Notice.Kind.SLA_WARNING,
            subject=f"{case.reference}: {sent} automatic updates this week. Call them?",
            body=summary,
            key=f"case:{case.pk}:update_budget:{due.isoformat()}",
            claimed=True,
        )
        calls.ask_to_call_instead(case, deadline=due, now=now)


def _tell_resolution_too(case: Case, target: str, now: datetime) -> bool:
    """A first answer late while the fix is due soon after: one notice tells of both
    delays (claiming the fix's step), rather than a second one hours later."""
    due = case.resolution_due
    if target != SLATarget.FIRST_RESPONSE or due is None or due <= now:
        return False
    if due - now > settings.DELAY_NOTICE_COVERS_AHEAD:
        return False
    return clocks.claim_step(case, SLATarget.RESOLUTION, due, SLAStep.CUSTOMER_NOTIFIED)


def _tell_customer(case: Case, target: str, due: datetime, now: datetime) -> None:
    if target == SLATarget.NEXT_UPDATE:
        sent = automatic_updates_this_week(case, now)
        if sent >= settings.AUTOMATIC_UPDATES_PER_WEEK:
            _hold_update(case, due, now, sent)
            return
        # Nothing new since the last one: the next automatic update waits longer.
        case.quiet_updates += 1
    # The customer hears from us now: the update clock starts again from here, so the
    # notice names the next update's real time, never a time (or a promise) already past.
    if case.first_responded_at is not None:
        case.last_public_update = now
        clocks.refresh_clocks(case, now=now)
    next_contact = clocks.next_contact(case, now) or due
    if target == SLATarget.NEXT_UPDATE:
        subject = f"An update on your case: {case.title}"
        opening = "A short update on your case, as promised."
    else:
        subject = "Your case will take longer than we promised"
        opening = (
            f'Your case "{case.title}" will take longer than we promised '
            f"({say_when(due)}). We would rather tell you now than let the time pass."
        )
        if _tell_resolution_too(case, target, now):
            opening += (
                f" The fix itself will likely take longer than {say_when(case.resolution_due)}"
                " too: we will tell you when it is done."
            )
    body = f"{opening}\n\n{customer_facts(case, next_contact=next_contact)}"
    # Nobody called in time: the written notice goes, and the call task lapses.
    CallTask.objects.filter(
        case=case, target=target, deadline=due, status=CallTask.Status.OPEN
    ).update(status=CallTask.Status.EXPIRED)
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
    email_customer(case, entry, subject, kind=Notice.Kind.DELAY_NOTICE, urgent=True, claimed=True)
