"""Every state change of a case: one function each.

Each takes the acting user, checks permission, locks the case row, checks the version the
caller saw (optimistic concurrency), writes its timeline entries and notices, all in one
transaction. Views, admin actions, email intake and tasks call these; none writes a case
directly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import Value, When, prefetch_related_objects
from django.utils import timezone

from cases import clocks, selectors
from cases.models import (
    PRIORITIES_BY_TIER,
    Attachment,
    Case,
    CustomerIdentifier,
    EntryKind,
    Handoff,
    Priority,
    Promise,
    Satisfaction,
    Status,
    TimelineEntry,
    Visibility,
)
from cases.text import render_markdown
from helpdesk.accounts.models import Department, User
from notifications import outbox


class CaseError(Exception):
    """A domain rule refused the change; the message is fit to show the user."""


class NotAllowed(CaseError):
    """The acting user may not do this to this case."""


class InvalidTransition(CaseError):
    """The case's status does not allow this change."""


class OpenHandoffs(CaseError):
    """Resolution proposed while departments still work on the case; needs confirmation."""


class Conflict(CaseError):
    """Someone changed the case since the caller saw it; `case` is the fresh state."""

    def __init__(self, message: str, *, case: Case):
        super().__init__(message)
        self.case = case


@dataclass(frozen=True)
class IdentifierInput:
    name: str
    value: str


# --- helpers -------------------------------------------------------------------------


def _lock(case: Case, expected_version: int | None) -> Case:
    """Lock the case row and refuse if it moved on since the caller read `expected_version`."""
    locked = (
        # The people and places every service reads come along (the customer is written
        # to, the organisation's tier picks the SLA policy); only the case row is locked.
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "owning_department", "customer", "owner")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_conflict_message(locked), case=locked)
    return locked


def _conflict_message(case: Case) -> str:
    last = (
        TimelineEntry.objects.filter(
            case=case,
            kind__in=[
                EntryKind.STATUS_CHANGE,
                EntryKind.OWNERSHIP_CHANGE,
                EntryKind.PRIORITY_CHANGE,
                EntryKind.REOPEN,
                EntryKind.CONFIRMATION,
            ],
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if last is None:
        return f"{case.reference} was changed by someone else. Here is its current state."
    who = last.actor.full_name if last.actor else "The system"
    what = last.data.get("summary") or last.get_kind_display().lower()
    when = timezone.localtime(last.created)  # the desk's clock, not UTC
    return f"{who} changed {case.reference} ({what}) at {when:%H:%M}. Review and retry."


def _require_agent(user: User) -> None:
    if not (user.is_active and user.is_agent):
        raise NotAllowed("Only agents can do this.")


def _require_owner_or_manager(case: Case, user: User, action: str) -> None:
    _require_agent(user)
    if case.owner_id != user.pk and not user.is_manager:
        raise NotAllowed(f"Only the case's owner or a manager can {action}.")


def _department_of(user: User, *, prefer: Department | None = None) -> Department | None:
    """The department an agent acts for on a case: the case's own if they belong to it."""
    if user is None or not user.is_agent:
        return None
    # A service writes several entries for one actor: read their departments once.
    prefetch_related_objects([user], "departments")
    departments = list(user.departments.all())
    if prefer is not None and any(d.pk == prefer.pk for d in departments):
        return prefer
    return min(departments, key=lambda d: d.pk) if departments else None


def _touch(
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
        update |= {"first_responded_at", "last_public_update"}
    if bump:
        # The row is locked (see _lock), so a plain increment cannot race.
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
        department = _department_of(actor, prefer=case.owning_department)
    entry = TimelineEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        department=department,
        visibility=visibility,
        body=body,
        body_html=render_markdown(body),
        data=data or {},
    )
    if kind == EntryKind.OWNERSHIP_CHANGE and (data or {}).get("from"):
        # A case's first owner (from nobody: it was new) cannot make it bounce.
        note_bounce(case)
    return entry


def email_customer(
    case: Case,
    entry: TimelineEntry,
    subject: str,
    *,
    kind: str | None = None,
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
        kind=kind or entry.kind,
        subject=f"[{case.reference}] {subject}",
        body=entry.body,
        key=f"case:{case.pk}:entry:{entry.pk}:{case.customer_id}",
        throttle=True,
        urgent=urgent,
        claimed=claimed,
    )


def _attach(
    *, case: Case, entry: TimelineEntry, files: Iterable[UploadedFile], user: User
) -> list[Attachment]:
    attachments = []
    for upload in files:
        attachment = Attachment(
            case=case,
            entry=entry,
            filename=(upload.name or "attachment")[:255],
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size or 0,
            uploaded_by=user,
        )
        attachment.file.save(upload.name or "attachment", upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def _status_entry(
    case: Case, *, actor: User | None, old: str, new: str, body: str = "", public: bool = True
) -> TimelineEntry:
    summary = f"{Status(old).label} → {Status(new).label}"
    return write_entry(
        case=case,
        kind=EntryKind.STATUS_CHANGE,
        actor=actor,
        visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        body=body,
        data={"from": old, "to": new, "summary": summary},
    )


def _move(case: Case, new_status: str) -> str:
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


BOUNCE_TRANSFERS = 3


def note_bounce(case: Case) -> None:
    """Keep the case's bounce data current after its owner or handoffs changed; the case
    page and the bounce report read these two fields.

    Bounced: an owner or an owning department comes back (A→B→A), a department is asked
    twice (e.g. a declined handoff re-sent), or more than BOUNCE_TRANSFERS changes of hands.
    Once bounced, a case stays bounced.
    """
    chain = list(
        TimelineEntry.objects.filter(case=case, kind=EntryKind.OWNERSHIP_CHANGE)
        .order_by("pk")
        .values_list("data", flat=True)
    )
    asked = list(Handoff.objects.filter(case=case).values_list("department_id", flat=True))
    changes = sum(1 for data in chain if data.get("from"))
    path = selectors.ownership_path(chain)
    bounced = (
        case.bounced
        or changes > BOUNCE_TRANSFERS
        or selectors.recurs([data.get("to") for data in chain])
        or len(path) != len(set(path))
        or len(asked) != len(set(asked))
    )
    if changes != case.ownership_changes or bounced != case.bounced:
        case.ownership_changes, case.bounced = changes, bounced
        Case.objects.filter(pk=case.pk).update(ownership_changes=changes, bounced=bounced)


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


def _set_owner(case: Case, owner: User) -> None:
    case.owner = owner
    case.owning_department = _department_of(owner, prefer=case.owning_department)
    case.ownership_lapsed = False
    if case.first_owned_at is None:
        case.first_owned_at = timezone.now()
        case.first_department = case.owning_department


def _validate_new_owner(owner: User) -> None:
    if not (owner.is_active and owner.is_agent):
        raise CaseError(f"{owner} is not an active agent and cannot own a case.")


# --- opening --------------------------------------------------------------------------


def _create_case(
    *,
    acting_user: User,
    customer: User,
    title: str,
    description: str,
    priority: int,
    identifiers: Iterable[IdentifierInput],
    files: Iterable[UploadedFile],
    data: dict,
) -> Case:
    """The one way a case comes to exist: new, unowned, its clocks started, its story the
    first public entry, the customer's references on file."""
    title = title.strip()
    if not title:
        raise CaseError("A case needs a title.")
    now = timezone.now()
    case = Case(
        title=title[:200],
        description=description,
        customer=customer,
        organization=customer.organization,
        priority=priority,
        created=now,
        updated=now,
    )
    clocks.refresh_clocks(case, now=now)  # its clocks start with it: one INSERT
    case.save(force_insert=True)
    entry = write_entry(
        case=case,
        kind=EntryKind.CASE_OPENED,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=description,
        data=data,
    )
    _attach(case=case, entry=entry, files=files, user=acting_user)
    for identifier in identifiers:
        if identifier.name.strip() and identifier.value.strip():
            CustomerIdentifier.objects.get_or_create(
                case=case,
                name=identifier.name.strip()[:60],
                value=identifier.value.strip()[:200],
                defaults={"added_by": acting_user},
            )
    return case


@transaction.atomic
def open_case(
    *,
    acting_user: User,
    customer: User,
    title: str,
    description: str,
    priority: int = Priority.NORMAL,
    identifiers: Iterable[IdentifierInput] = (),
    files: Iterable[UploadedFile] = (),
) -> Case:
    """An agent opens a case on a customer's behalf (phone, walk-in).

    Who: any active agent. Writes: `case_opened` (public, the description).
    The case starts `new` and unowned, in the triage queue.
    """
    _require_agent(acting_user)
    if not customer.is_customer or not customer.is_active:
        raise CaseError("A case is opened for an active customer.")
    return _create_case(
        acting_user=acting_user,
        customer=customer,
        title=title,
        description=description,
        priority=priority,
        identifiers=identifiers,
        files=files,
        data={"opened_for": customer.pk, "channel": "desk"},
    )


# --- ownership ------------------------------------------------------------------------


def _give_to(case: Case, *, owner: User, actor: User, summary: str) -> TimelineEntry:
    """Make `owner` the case's one owner; a new case opens. Writes the public
    `ownership_change` (and `status_change` new → open)."""
    previous = case.owner
    _set_owner(case, owner)
    fields = ["owner", "owning_department", "first_owned_at", "first_department"]
    old = _move(case, Status.OPEN) if case.status == Status.NEW else None
    _touch(case, fields=[*fields, "ownership_lapsed", *(["status"] if old else [])])
    entry = write_entry(
        case=case,
        kind=EntryKind.OWNERSHIP_CHANGE,
        actor=actor,
        visibility=Visibility.PUBLIC,
        data={
            "from": previous.pk if previous else None,
            "from_name": previous.full_name if previous else None,
            "to": owner.pk,
            "to_name": owner.full_name,
            "department": case.owning_department.name if case.owning_department else None,
            "summary": summary,
        },
    )
    if old is not None:
        _status_entry(case, actor=actor, old=old, new=case.status)
    return entry


@transaction.atomic
def take_ownership(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """An agent takes an unowned case from triage and becomes its one accountable owner.

    Who: any active agent, only while the case has no owner (otherwise it is a transfer).
    Writes: `ownership_change` (public: the customer learns who owns their problem) and
    `status_change` new → open.
    """
    _require_agent(acting_user)
    case = _lock(case, None)
    if case.owner_id == acting_user.pk:
        if case.ownership_lapsed:
            # The lead who inherited it keeps it for real: it is no longer lapsed.
            case.ownership_lapsed = False
            _touch(case, fields=["ownership_lapsed"])
            write_entry(
                case=case,
                kind=EntryKind.INTERNAL_NOTE,
                actor=acting_user,
                visibility=Visibility.INTERNAL,
                body=f"{acting_user.full_name} keeps the case as its owner.",
                data={"kept": True, "summary": "inherited ownership kept"},
            )
        return case  # otherwise a double click, not a conflict
    if expected_version is not None and case.version != expected_version:
        raise Conflict(_conflict_message(case), case=case)
    if case.owner_id is not None:
        raise Conflict(
            f"{case.reference} is already owned by {case.owner}. Ask them or a manager "
            "to transfer it.",
            case=case,
        )
    _give_to(
        case, owner=acting_user, actor=acting_user, summary=f"taken by {acting_user.full_name}"
    )
    return case


@transaction.atomic
def transfer_ownership(
    *, case: Case, acting_user: User, to: User, reason: str, expected_version: int | None
) -> Case:
    """Hand the whole case to another agent, who becomes its one owner.

    Who: the owner or a manager; any agent while the case is still unowned (triage).
    Writes: `ownership_change` (public, with the reason kept internal in `data`), and an
    in-app notice to the new owner.
    """
    _require_agent(acting_user)
    reason = reason.strip()
    if not reason:
        raise CaseError("Say why the case is transferred: the new owner reads it first.")
    case = _lock(case, expected_version)
    if case.owner_id is not None:
        _require_owner_or_manager(case, acting_user, "transfer it")
    _validate_new_owner(to)
    if case.owner_id == to.pk:
        raise CaseError(f"{to} already owns {case.reference}.")
    entry = _give_to(case, owner=to, actor=acting_user, summary=f"transferred to {to.full_name}")
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
        kind="case_transferred",
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
        _hand_to_successor(case, leaving=agent)
        _touch(case, fields=["owner", "owning_department", "ownership_lapsed"])
        _write_inheritance(case, leaving=agent, acting_user=acting_user)
        moved.append(case)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    return moved


def _hand_to_successor(case: Case, *, leaving: User) -> User:
    """Give a leaving owner's case to a lead or manager; refuse rather than let it lapse."""
    lead = _successor(case, leaving)
    if lead is None:
        raise CaseError(
            f"No active lead or manager can take {case.reference}; appoint a department "
            "lead before deactivating."
        )
    case.owner = lead
    case.owning_department = _department_of(lead, prefer=case.owning_department)
    case.ownership_lapsed = True
    return lead


def _write_inheritance(case: Case, *, leaving: User, acting_user: User | None) -> None:
    """The public `ownership_change` and the new owner's in-app notice after a handover."""
    lead = case.owner
    entry = write_entry(
        case=case,
        kind=EntryKind.OWNERSHIP_CHANGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={
            "from": leaving.pk,
            "from_name": leaving.full_name,
            "to": lead.pk,
            "to_name": lead.full_name,
            "department": case.owning_department.name if case.owning_department else None,
            "lapsed": True,
            "summary": f"moved to {lead.full_name} (previous owner deactivated)",
        },
    )
    outbox.notify_in_app(
        recipient=lead,
        case=case,
        kind="case_inherited",
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


# --- conversation -----------------------------------------------------------------------


@transaction.atomic
def reply_to_customer(
    *, case: Case, acting_user: User, body: str, files: Iterable[UploadedFile] = ()
) -> TimelineEntry:
    """The owner writes to the customer: one voice.

    Who: the owner or a manager. Writes: `agent_reply` (public), with attachments.
    """
    body = body.strip()
    if not body:
        raise CaseError("Write a reply before sending it.")
    case = _lock(case, None)
    _require_owner_or_manager(case, acting_user, "write to the customer")
    entry = write_entry(
        case=case,
        kind=EntryKind.AGENT_REPLY,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
    )
    _attach(case=case, entry=entry, files=files, user=acting_user)
    _touch(case, bump=False, public_update=True)
    email_customer(case, entry, f"{acting_user.full_name} replied: {case.title}")
    return entry


@transaction.atomic
def add_internal_note(
    *, case: Case, acting_user: User, body: str, files: Iterable[UploadedFile] = ()
) -> TimelineEntry:
    """Any agent, from any department, adds to the shared story.

    Writes: `internal_note` (internal: never shown to the customer).
    """
    _require_agent(acting_user)
    body = body.strip()
    if not body:
        raise CaseError("Write a note before adding it.")
    case = _lock(case, None)
    entry = write_entry(
        case=case,
        kind=EntryKind.INTERNAL_NOTE,
        actor=acting_user,
        visibility=Visibility.INTERNAL,
        body=body,
    )
    _attach(case=case, entry=entry, files=files, user=acting_user)
    _touch(case, bump=False)
    return entry


@transaction.atomic
def add_customer_message(
    *, case: Case, acting_user: User, body: str, files: Iterable[UploadedFile] = ()
) -> TimelineEntry:
    """The customer writes on their case (portal or email).

    Who: a customer of the case's organisation. Writes: `customer_message` (public); on a
    case waiting on the customer, `status_change` back to open; on a pending or closed case,
    `reopen` and `status_change` to open with the same owner (or, when that owner has been
    deactivated since, a public `ownership_change` to their lead).
    """
    if not (acting_user.is_customer and acting_user.organization_id == case.organization_id):
        raise NotAllowed("Only the customer's organisation can write here.")
    body = body.strip()
    if not body:
        raise CaseError("Write a message before sending it.")
    case = _lock(case, None)
    entry = write_entry(
        case=case,
        kind=EntryKind.CUSTOMER_MESSAGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
    )
    _attach(case=case, entry=entry, files=files, user=acting_user)
    if case.status == Status.WAITING_ON_CUSTOMER:
        old = _move(case, Status.OPEN)
        _touch(case, fields=["status"])
        _status_entry(case, actor=acting_user, old=old, new=case.status)
    elif case.status in (Status.PENDING_CONFIRMATION, Status.CLOSED):
        _reopen(case, actor=acting_user, reason="The customer wrote again.")
    else:
        _touch(case, bump=False)
    if case.owner_id:
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind="customer_message",
            subject=f"{acting_user.full_name} wrote on {case.reference}",
            body=body[:500],
            key=f"case:{case.pk}:customer_message:{entry.pk}",
        )
    return entry


# --- status -----------------------------------------------------------------------------


@transaction.atomic
def change_priority(
    *, case: Case, acting_user: User, priority: int, expected_version: int | None
) -> Case:
    """Who: the owner or a manager; any agent while the case is unowned (triage).

    Writes: `priority_change` (internal).
    """
    _require_agent(acting_user)
    case = _lock(case, expected_version)
    if case.owner_id is not None:
        _require_owner_or_manager(case, acting_user, "change its priority")
    priority = Priority(int(priority))
    if case.priority == priority:
        return case
    old = Priority(case.priority)
    case.priority = priority
    _touch(case, fields=["priority"])
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
    case = _lock(case, expected_version)
    _require_owner_or_manager(case, acting_user, "wait on the customer")
    old = _move(case, Status.WAITING_ON_CUSTOMER)
    _touch(case, fields=["status"], public_update=bool(message.strip()))
    entry = _status_entry(case, actor=acting_user, old=old, new=case.status, body=message)
    email_customer(case, entry, f"We need something from you: {case.title}")
    return case


@transaction.atomic
def resume(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """Stop waiting on the customer. Who: the owner or a manager. Writes: `status_change`."""
    case = _lock(case, expected_version)
    _require_owner_or_manager(case, acting_user, "resume work")
    if case.status != Status.WAITING_ON_CUSTOMER:
        raise InvalidTransition("Only a case waiting on the customer can be resumed.")
    old = _move(case, Status.OPEN)
    _touch(case, fields=["status"])
    _status_entry(case, actor=acting_user, old=old, new=case.status)
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
    case = _lock(case, expected_version)
    _require_owner_or_manager(case, acting_user, "propose a resolution")
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
        from cases.handoffs import cancel_open_handoffs as cancel_all

        cancel_all(
            case=case, acting_user=acting_user, note="Cancelled: the owner proposed a resolution."
        )
    old = _move(case, Status.PENDING_CONFIRMATION)
    _touch(case, fields=["status"], public_update=True)
    entry = _status_entry(case, actor=acting_user, old=old, new=case.status, body=body)
    email_customer(case, entry, f"Is it fixed? Please confirm: {case.title}")
    return case


def _reopen(case: Case, *, actor: User | None, reason: str) -> None:
    old = _move(case, Status.OPEN)
    fields = ["status", "closed_at"]
    # A closed case keeps its owner after they leave; open again, it needs an active one.
    leaving = (
        case.owner if case.owner and not (case.owner.is_active and case.owner.is_agent) else None
    )
    if leaving is not None:
        _hand_to_successor(case, leaving=leaving)
        fields += ["owner", "owning_department", "ownership_lapsed"]
    _touch(case, fields=fields)
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
        _write_inheritance(case, leaving=leaving, acting_user=None)
    _status_entry(case, actor=actor, old=old, new=case.status)


@transaction.atomic
def reopen(*, case: Case, acting_user: User, reason: str, expected_version: int | None) -> Case:
    """Back to work with the same owner after a proposed or confirmed resolution.

    Who: the owner or a manager, or the customer ("still broken"). Writes: `reopen` and
    `status_change` to open (public).
    """
    case = _lock(case, expected_version)
    if acting_user.is_customer:
        if acting_user.organization_id != case.organization_id:
            raise NotAllowed("This is not your case.")
    else:
        _require_owner_or_manager(case, acting_user, "reopen it")
    if case.status not in (Status.PENDING_CONFIRMATION, Status.CLOSED):
        raise InvalidTransition("Only a case pending confirmation or closed can be reopened.")
    _reopen(case, actor=acting_user, reason=reason.strip())
    return case


@transaction.atomic
def close_case(*, case: Case, acting_user: User, reason: str, expected_version: int | None) -> Case:
    """Close a case. The normal path is the customer's confirmation; this is the owner's.

    Who: the owner or a manager. A reason is required unless the customer was asked to
    confirm already. Open handoffs are cancelled (a `handoff` cancelled entry each): no
    department keeps working on a closed case. Writes: `status_change` to closed (public).
    """
    case = _lock(case, expected_version)
    _require_owner_or_manager(case, acting_user, "close it")
    reason = reason.strip()
    if not reason and case.status != Status.PENDING_CONFIRMATION:
        raise CaseError("Say why the case is closed without the customer's confirmation.")
    if not case.can_move_to(Status.CLOSED):
        _move(case, Status.CLOSED)  # raises InvalidTransition with the reason
    if Handoff.objects.open().filter(case=case).exists():
        from cases.handoffs import cancel_open_handoffs as cancel_all

        cancel_all(case=case, acting_user=acting_user, note="Cancelled: the case was closed.")
    old = _move(case, Status.CLOSED)
    _touch(case, fields=["status", "closed_at"])
    _status_entry(case, actor=acting_user, old=old, new=case.status, body=reason)
    return case


@transaction.atomic
def confirm_resolution(*, case: Case, acting_user: User, expected_version: int | None) -> Case:
    """The customer says it is fixed: the only way a case is closed by its customer.

    Who: a customer of the case's organisation. Writes: `confirmation` and `status_change`
    to closed (public).
    """
    case = _lock(case, expected_version)
    if not (acting_user.is_customer and acting_user.organization_id == case.organization_id):
        raise NotAllowed("Only the customer can confirm the fix.")
    if case.status != Status.PENDING_CONFIRMATION:
        raise InvalidTransition("There is no proposed resolution to confirm.")
    if Handoff.objects.open().filter(case=case).exists():
        from cases.handoffs import cancel_open_handoffs as cancel_all

        cancel_all(case=case, acting_user=None, note="Cancelled: the customer confirmed the fix.")
    old = _move(case, Status.CLOSED)
    _touch(case, fields=["status", "closed_at"])
    write_entry(
        case=case,
        kind=EntryKind.CONFIRMATION,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={"summary": "customer confirmed the fix"},
    )
    _status_entry(case, actor=acting_user, old=old, new=case.status)
    return case


# --- identifiers ------------------------------------------------------------------------


@transaction.atomic
def add_identifier(*, case: Case, acting_user: User, name: str, value: str) -> CustomerIdentifier:
    """Record a customer reference once, for every department to see.

    Who: any agent, or a customer of the case's organisation. Writes: `identifiers_change`
    (public: the customer sees what is on file).
    """
    if acting_user.is_customer:
        if acting_user.organization_id != case.organization_id:
            raise NotAllowed("This is not your case.")
    else:
        _require_agent(acting_user)
    name, value = name.strip()[:60], value.strip()[:200]
    if not name or not value:
        raise CaseError("An identifier needs a name and a value.")
    case = _lock(case, None)
    identifier, created = CustomerIdentifier.objects.get_or_create(
        case=case, name=name, value=value, defaults={"added_by": acting_user}
    )
    if created:
        write_entry(
            case=case,
            kind=EntryKind.IDENTIFIERS_CHANGE,
            actor=acting_user,
            visibility=Visibility.PUBLIC,
            data={"added": {"name": name, "value": value}, "summary": f"{name} added"},
        )
        _touch(case, bump=False)
    return identifier


# --- the customer's own actions (portal, email) ---------------------------------------------


def _require_customer_of(case: Case, user: User) -> None:
    if not (user.is_active and user.is_customer and user.organization_id == case.organization_id):
        raise NotAllowed("This is not your case.")


@transaction.atomic
def report_case(
    *,
    acting_user: User,
    title: str,
    description: str,
    priority: int = Priority.NORMAL,
    identifiers: Iterable[IdentifierInput] = (),
    files: Iterable[UploadedFile] = (),
    channel: str = "portal",
) -> Case:
    """A customer opens a case in the portal (or by email).

    Who: an active customer; the priority must be one their organisation's tier allows.
    Writes: `case_opened` (public, the description). The case starts `new` in triage.
    """
    if not (acting_user.is_active and acting_user.is_customer):
        raise NotAllowed("Only customers report cases here.")
    allowed = PRIORITIES_BY_TIER.get(acting_user.organization.sla_tier, (Priority.NORMAL,))
    if int(priority) not in allowed:
        raise CaseError(f"Your plan allows these priorities: {_labels(allowed)}.")
    return _create_case(
        acting_user=acting_user,
        customer=acting_user,
        title=title,
        description=description,
        priority=priority,
        identifiers=identifiers,
        files=files,
        data={"channel": channel},
    )


def _labels(priorities) -> str:
    return ", ".join(Priority(p).label.lower() for p in priorities)


@transaction.atomic
def remove_identifier(*, case: Case, acting_user: User, identifier_id: int) -> None:
    """Take a wrong reference off the case. Who: any agent, or the case's customer.

    Writes: `identifiers_change` (public).
    """
    if acting_user.is_customer:
        _require_customer_of(case, acting_user)
    else:
        _require_agent(acting_user)
    case = _lock(case, None)
    identifier = CustomerIdentifier.objects.filter(case=case, pk=identifier_id).first()
    if identifier is None:
        raise CaseError("That identifier is not on this case.")
    name, value = identifier.name, identifier.value
    identifier.delete()
    write_entry(
        case=case,
        kind=EntryKind.IDENTIFIERS_CHANGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={"removed": {"name": name, "value": value}, "summary": f"{name} removed"},
    )
    _touch(case, bump=False)


@transaction.atomic
def rate_case(*, case: Case, acting_user: User, rating: int, comment: str = "") -> Satisfaction:
    """The customer rates a closed case, once. Who: the case's customer organisation.

    Writes: no timeline entry (the rating is shown on the desk's case page).
    """
    _require_customer_of(case, acting_user)
    case = _lock(case, None)
    if case.status != Status.CLOSED:
        raise CaseError("You can rate a case once it is closed.")
    if not 1 <= int(rating) <= 5:
        raise CaseError("Choose a rating from 1 to 5.")
    if Satisfaction.objects.filter(case=case).exists():
        raise CaseError("This case has been rated already. Thank you!")
    return Satisfaction.objects.create(
        case=case, rating=int(rating), comment=comment.strip()[:5000], rated_by=acting_user
    )


def auto_close(case: Case) -> None:
    """Close a case pending confirmation that got no answer after one reminder.

    Who: the system (the sweep), with the case locked. Writes: `status_change` to closed
    (public, `data.auto` true).
    """
    if Handoff.objects.open().filter(case=case).exists():
        from cases.handoffs import cancel_open_handoffs as cancel_all

        cancel_all(case=case, acting_user=None, note="Cancelled: the case was closed.")
    old = _move(case, Status.CLOSED)
    _touch(case, fields=["status", "closed_at"])
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


def set_notify_preference(*, acting_user: User, preference: str) -> None:
    """A customer chooses every update by email, or one daily digest. Writes no entry."""
    if preference not in User.NotifyPreference.values:
        raise CaseError("Choose how you want to hear from us.")
    acting_user.notify_preference = preference
    acting_user.save(update_fields=["notify_preference"])
