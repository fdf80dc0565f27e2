"""The core every state change uses: the locked case with its version check, the
timeline entry, the saved clocks, and the customer's email in the owner's one voice.

Other modules of the package import these by name; nothing here imports them back.
"""

from collections.abc import Sequence

from django.db.models import prefetch_related_objects
from django.utils import timezone

from cases import clocks
from cases.models import Case, EntryKind, TimelineEntry
from cases.services import permissions
from cases.services.errors import Conflict, NotAllowed
from cases.text import render_markdown
from helpdesk.accounts.models import Department, User
from notifications import outbox
from notifications.models import Notice

# The kinds a conflict message may name: the changes another editor could have made.
STATE_CHANGES = [
    EntryKind.STATUS_CHANGE,
    EntryKind.OWNERSHIP_CHANGE,
    EntryKind.PRIORITY_CHANGE,
    EntryKind.REOPEN,
    EntryKind.CONFIRMATION,
]


def lock_case(
    case: Case, expected_version: int | None, user: User | None = None, action: str = ""
) -> Case:
    """Lock the case row and refuse if it moved on since the caller read `expected_version`.

    With `user` and `action`, each refusal gives its own reason, in this order: someone
    who may never do this is told so (not that the case changed), then a stale page is a
    conflict, then a status that refuses the action says why.
    """
    locked = (
        # The people and places every service reads come along (the customer is written
        # to, the organisation's tier picks the SLA policy); only the case row is locked.
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "owning_department", "customer", "owner")
        .get(pk=case.pk)
    )
    if action:
        try:
            permissions.require_person(locked, user, action)
        except NotAllowed:
            stale = expected_version is not None and locked.version != expected_version
            # Someone who lost the case while their page was open hears who changed it.
            if stale and was_owner(locked, user):
                raise Conflict(conflict_message(locked), case=locked) from None
            raise
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(conflict_message(locked), case=locked)
    if action:
        permissions.require_status(locked, action)
    return locked


def was_owner(case: Case, user: User) -> bool:
    """Whether `user` owned this case before its current owner."""
    return TimelineEntry.objects.filter(
        case=case, kind=EntryKind.OWNERSHIP_CHANGE, data__from=user.pk
    ).exists()


def conflict_message(case: Case) -> str:
    """Who changed the case, what and when: what a stale editor reads before retrying."""
    last = (
        TimelineEntry.objects.filter(case=case, kind__in=STATE_CHANGES)
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if last is None:
        return f"Someone else changed this case. Here is {case.reference} as it is now."
    who = last.actor.full_name if last.actor else "The system"
    what = last.data.get("summary") or last.get_kind_display().lower()
    when = timezone.localtime(last.created)  # the desk's clock, not UTC
    return (
        f"Someone else changed this case. {who} changed {case.reference} ({what}) "
        f"at {when:%H:%M}. Review and retry."
    )


def department_of(user: User | None, *, prefer: Department | None = None) -> Department | None:
    """The department an agent acts for on a case: the case's own if they belong to it."""
    if user is None or not user.is_agent:
        return None
    # A service writes several entries for one actor: read their departments once.
    prefetch_related_objects([user], "departments")
    departments = list(user.departments.all())
    if prefer is not None and any(d.pk == prefer.pk for d in departments):
        return prefer
    return min(departments, key=lambda d: d.pk) if departments else None


def touch(
    case: Case, *, fields: Sequence[str] = (), bump: bool = True, public_update: bool = False
) -> None:
    """Save changed fields; state changes bump the version other editors compare against.

    State changes and our public words also move the SLA clocks (`cases.clocks`).
    """
    now = timezone.now()
    case.updated = now
    update = {*fields, "updated"}
    if public_update:
        if case.first_responded_at is None:
            case.first_responded_at = now
        case.last_public_update = now
        case.quiet_updates = 0  # a person wrote: the next automatic update comes on time
        update |= {"first_responded_at", "last_public_update", "quiet_updates"}
    if bump:
        # The row is locked (see lock_case), so a plain increment cannot race.
        case.version += 1
        update.add("version")
    if bump or public_update:
        update.update(clocks.refresh_clocks(case, now=now))
    case.save(update_fields=sorted(update))


def write_entry(
    *,
    case: Case,
    kind: str,
    actor: User | None,
    visibility: str,
    body: str = "",
    data: dict | None = None,
    department: Department | None = None,
) -> TimelineEntry:
    """Append one entry to the case's timeline. Called by services, never by views."""
    if department is None and actor is not None and actor.is_agent:
        department = department_of(actor, prefer=case.owning_department)
    return TimelineEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        department=department,
        visibility=visibility,
        body=body,
        body_html=render_markdown(body),
        data=data or {},
    )


def email_customer(
    case: Case,
    entry: TimelineEntry,
    subject: str,
    *,
    kind: Notice.Kind | None = None,
    urgent: bool = False,
    claimed: bool = False,
) -> None:
    """Our public word reaches the customer by email too: one voice, throttled per case
    (`urgent` delay notices are never held back; `claimed` when the caller holds a
    once-only claim for this message)."""
    if not entry.body.strip():
        return
    outbox.notify_by_email(
        recipient=case.customer,
        case=case,
        kind=kind or Notice.Kind(entry.kind),
        subject=f"[{case.reference}] {subject}",
        body=entry.body,
        key=f"case:{case.pk}:entry:{entry.pk}:{case.customer_id}",
        entry=entry,
        throttle=True,
        urgent=urgent,
        claimed=claimed,
    )


def tell_owner(case: Case, *, actor: User, kind: str, subject: str, body: str, key: str) -> None:
    """An in-app notice to the case's owner about what someone else did (once per key)."""
    if case.owner_id and case.owner_id != actor.pk:
        outbox.notify_in_app(
            recipient=case.owner, case=case, kind=kind, subject=subject, body=body, key=key
        )
