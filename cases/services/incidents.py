"""Incident services: link cases to a known problem and tell every linked customer at once.

Each linked case keeps its own owner. A public update reaches every linked case's timeline
and customer (one notice per update and case, through the throttled outbox); an internal
one reaches only the timelines. Resolving an incident never closes a case: each linked
open case is asked for the customer's confirmation.

Fan-out to linked cases runs in a Celery task (`cases.tasks.fan_out_incident_update`,
enqueued by name after commit), so posting to a thousand cases is one request that
enqueues, not a thousand sends; a fan-out the broker never got is re-driven by beat.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import (
    Case,
    EntryKind,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Status,
    TimelineEntry,
    Visibility,
)
from cases.services.core import email_customer, lock_case, touch, write_entry
from cases.services.errors import CaseError, InvalidTransition
from cases.services.permissions import require, require_agent
from cases.services.transitions import move, status_entry
from cases.text import render_markdown
from helpdesk import queue
from helpdesk.accounts.models import Organization, User

RESOLVED_WORDS = (
    "The underlying problem has been fixed. Please confirm it works for you: if it does, "
    "your case closes; if not, tell us and your case's owner carries on."
)
FAN_OUT_BATCH = 200


@transaction.atomic
def open_incident(
    *,
    acting_user: User,
    title: str,
    public_summary: str = "",
    cause: str = "",
    cause_date: date | None = None,
    affects_all: bool = False,
    organizations: Iterable[Organization] = (),
    cases: Iterable[Case] = (),
) -> Incident:
    """Open an incident, optionally from the selected similar cases (one click).

    Who: any agent. Writes: `incident_link` (public) on each linked case.
    """
    require_agent(acting_user)
    title = title.strip()
    if not title:
        raise CaseError("An incident needs a title.")
    incident = Incident.objects.create(
        title=title[:200],
        public_summary=public_summary.strip(),
        cause=cause.strip()[:200],
        cause_date=cause_date,
        affects_all_organizations=affects_all,
        created_by=acting_user,
    )
    incident.organizations.set(list(organizations))
    for case in cases:
        link_case(case=case, incident=incident, acting_user=acting_user)
    return incident


@transaction.atomic
def link_case(*, case: Case, incident: Incident, acting_user: User) -> Case:
    """Link a case to an incident; its organisation becomes affected.

    Who: any agent, or the case's customer (following a known issue from the portal).
    Writes: `incident_link` (public: the customer learns others have the same problem).
    """
    require(case, acting_user, "link_incident")
    case = lock_case(case, None)
    if case.incident_id == incident.pk:
        return case
    # The caller's copy may predate a resolution: read the status under the lock that
    # post_update takes, so a case is never linked after the resolving fan-out began.
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise CaseError("This incident is resolved; link the case to an open one.")
    case.incident = incident
    touch(case, fields=["incident"], bump=False)
    if not incident.affects_all_organizations:
        incident.organizations.add(case.organization_id)
    body = (
        f"Your case is linked to a known problem: **{incident.title}**. Other customers "
        "reported the same; we keep you informed here while your case's owner stays yours."
    )
    entry = write_entry(
        case=case,
        kind=EntryKind.INCIDENT_LINK,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        data={"incident": incident.pk, "summary": f"linked to incident: {incident.title}"},
    )
    if not acting_user.is_customer:
        email_customer(case, entry, f"A known problem affects your case: {case.title}")
    return case


@transaction.atomic
def unlink_case(*, case: Case, acting_user: User) -> Case:
    """Who: any agent. Writes: `incident_link` (internal) saying it was unlinked."""
    require_agent(acting_user)
    case = lock_case(case, None)
    if case.incident_id is None:
        return case
    incident_id = case.incident_id
    case.incident = None
    touch(case, fields=["incident"], bump=False)
    write_entry(
        case=case,
        kind=EntryKind.INCIDENT_LINK,
        actor=acting_user,
        visibility=Visibility.INTERNAL,
        data={"incident": incident_id, "unlinked": True, "summary": "unlinked from incident"},
    )
    return case


@transaction.atomic
def post_update(
    *,
    incident: Incident,
    acting_user: User,
    body: str,
    public: bool,
    status: str = "",
) -> IncidentUpdate:
    """Post an update to everyone on the incident; optionally move its status.

    Who: any agent. Writes an IncidentUpdate, then (in a task, after commit) one
    `incident_update` entry per linked case: public ones with a customer email each,
    internal ones on the timeline only. Resolving asks each linked open case's customer
    to confirm (`status_change` to pending confirmation); no case is closed.
    """
    require_agent(acting_user)
    body = body.strip()
    if not body:
        raise CaseError("Write the update first.")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if status and status not in IncidentStatus.values:
        raise CaseError("Unknown incident status.")
    if not incident.is_open:
        raise CaseError("This incident is resolved.")
    update = IncidentUpdate.objects.create(
        incident=incident,
        author=acting_user,
        visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        body=body,
        body_html=render_markdown(body),
        status=status,
    )
    fields = ["updated"]
    incident.updated = timezone.now()
    if status and status != incident.status:
        incident.status = status
        fields.append("status")
        if status == IncidentStatus.RESOLVED:
            incident.resolved_at = incident.updated
            fields.append("resolved_at")
    incident.save(update_fields=fields)
    queue.after_commit(queue.FAN_OUT_INCIDENT_UPDATE, update.pk)
    return update


def unfinished_updates(*, older_than_seconds: int = 60) -> list[int]:
    """Updates whose fan-out never finished (a lost message or a dead worker)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        IncidentUpdate.objects.filter(fanned_out_at__isnull=True, created__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )


def fan_out(update_id: int) -> int:
    """Deliver an update to every linked case not reached yet. Safe to run twice: a case
    that already has this update's entry is skipped. Returns the cases reached."""
    update = IncidentUpdate.objects.select_related("incident", "author").get(pk=update_id)
    reached = 0
    while True:
        done = TimelineEntry.objects.filter(
            kind=EntryKind.INCIDENT_UPDATE, data__update=update.pk
        ).values("case_id")
        batch = list(
            Case.objects.filter(incident=update.incident)
            .exclude(pk__in=done)
            .order_by("pk")
            .values_list("pk", flat=True)[:FAN_OUT_BATCH]
        )
        if not batch:
            break
        for case_id in batch:
            with transaction.atomic():
                _deliver_to_case(update, Case.objects.get(pk=case_id))
            reached += 1
    if update.fanned_out_at is None:
        IncidentUpdate.objects.filter(pk=update.pk).update(fanned_out_at=timezone.now())
    return reached


def _deliver_to_case(update: IncidentUpdate, case: Case) -> None:
    case = lock_case(case, None)
    if TimelineEntry.objects.filter(
        case=case, kind=EntryKind.INCIDENT_UPDATE, data__update=update.pk
    ).exists():
        return
    public = update.visibility == Visibility.PUBLIC
    entry = write_entry(
        case=case,
        kind=EntryKind.INCIDENT_UPDATE,
        actor=update.author,
        visibility=update.visibility,
        body=update.body,
        data={
            "incident": update.incident_id,
            "update": update.pk,
            "status": update.status,
            "summary": f"incident update: {update.incident.title}",
        },
    )
    if public:
        email_customer(case, entry, f"An update on a known problem: {update.incident.title}")
    if update.status == IncidentStatus.RESOLVED:
        _ask_to_confirm(case, update)
    else:
        touch(case, bump=False, public_update=public)


def _ask_to_confirm(case: Case, update: IncidentUpdate) -> None:
    if case.status not in (Status.OPEN, Status.WAITING_ON_CUSTOMER):
        # The customer still heard our public word: the clocks know, as for any update.
        touch(case, bump=False, public_update=update.visibility == Visibility.PUBLIC)
        return  # new (no owner yet), already pending, or closed: nothing to confirm
    try:
        old = move(case, Status.PENDING_CONFIRMATION)
    except InvalidTransition:
        return
    touch(case, fields=["status"], public_update=True)
    entry = status_entry(case, actor=update.author, old=old, new=case.status, body=RESOLVED_WORDS)
    email_customer(case, entry, f"Is it fixed for you? Please confirm: {case.title}")
