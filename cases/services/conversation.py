"""The conversation on a case: the owner's reply (one voice), any department's internal
note, and the customer's message, which brings a paused or resolved case back to work."""

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cases import selectors
from cases.models import Case, EntryKind, Status, TimelineEntry, Visibility
from cases.services import attachments
from cases.services.core import email_customer, lock_case, touch, write_entry
from cases.services.errors import CaseError, RepliedMeanwhile
from cases.services.lifecycle import reopen_locked
from cases.services.permissions import require, require_agent
from cases.services.transitions import move, status_entry
from helpdesk.accounts.models import User
from notifications import outbox
from notifications.models import Notice


def _entry_with_files(
    case: Case,
    *,
    kind: str,
    actor: User,
    visibility: str,
    body: str,
    files: Iterable[UploadedFile],
    record_refused: bool = False,
) -> TimelineEntry:
    files, refused = attachments.checked(files, record_refused=record_refused)
    entry = write_entry(
        case=case,
        kind=kind,
        actor=actor,
        visibility=visibility,
        body=body,
        data={"refused_attachments": refused} if refused else None,
    )
    attachments.attach(case=case, entry=entry, files=files, user=actor)
    return entry


# How the collision warning names what happened meanwhile; other kinds "updated the case".
MEANWHILE_VERBS = {EntryKind.AGENT_REPLY: "replied", EntryKind.CUSTOMER_MESSAGE: "wrote"}


def _meanwhile_message(entries: list[TimelineEntry]) -> str:
    """What the writer reads first: "Sam Ortiz replied at 10:42 while you were writing.",
    one phrase per author, deed and minute, in the desk's time zone."""
    phrases: list[str] = []
    for entry in entries:
        who = entry.actor.full_name if entry.actor else "The system"
        verb = MEANWHILE_VERBS.get(entry.kind, "updated the case")
        phrase = f"{who} {verb} at {timezone.localtime(entry.created):%H:%M}"
        if phrase not in phrases:
            phrases.append(phrase)
    *rest, last = phrases
    listed = f"{', '.join(rest)} and {last}" if rest else last
    return f"{listed} while you were writing."


@transaction.atomic
def reply_to_customer(
    *,
    case: Case,
    acting_user: User,
    body: str,
    files: Iterable[UploadedFile] = (),
    seen_entry: int | None = None,
) -> TimelineEntry:
    """The owner writes to the customer: one voice.

    Who: the owner or a manager. Writes: `agent_reply` (public), with attachments.
    With `seen_entry` (the newest entry the writer had seen), nothing is sent when someone
    else has since written a public entry (the customer, another agent, the system):
    `RepliedMeanwhile` names it, so the writer reads it before the customer gets two
    answers that cross.
    """
    body = body.strip()
    if not body:
        raise CaseError("Write a reply before sending it.")
    case = lock_case(case, None, acting_user, "reply")
    if seen_entry is not None:
        # Under the case lock, which every service writing to the timeline takes too:
        # nothing can slip in between this check and the reply.
        unseen = selectors.replied_meanwhile(case, acting_user, after=seen_entry)
        if unseen:
            raise RepliedMeanwhile(_meanwhile_message(unseen), case=case, entries=unseen)
    entry = _entry_with_files(
        case,
        kind=EntryKind.AGENT_REPLY,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        files=files,
    )
    touch(case, bump=False, public_update=True)
    email_customer(case, entry, f"{acting_user.full_name} replied: {case.title}")
    return entry


@transaction.atomic
def add_internal_note(
    *, case: Case, acting_user: User, body: str, files: Iterable[UploadedFile] = ()
) -> TimelineEntry:
    """Any agent, from any department, adds to the shared story.

    Writes: `internal_note` (internal: never shown to the customer).
    """
    require_agent(acting_user)
    body = body.strip()
    if not body:
        raise CaseError("Write a note before adding it.")
    case = lock_case(case, None)
    entry = _entry_with_files(
        case,
        kind=EntryKind.INTERNAL_NOTE,
        actor=acting_user,
        visibility=Visibility.INTERNAL,
        body=body,
        files=files,
    )
    touch(case, bump=False)
    return entry


@transaction.atomic
def add_customer_message(
    *,
    case: Case,
    acting_user: User,
    body: str,
    files: Iterable[UploadedFile] = (),
    by_email: bool = False,
) -> TimelineEntry:
    """The customer writes on their case (portal or email).

    Who: a customer of the case's organisation. Writes: `customer_message` (public); on a
    case waiting on the customer, `status_change` back to open; on a pending or closed case,
    `reopen` and `status_change` to open with the same owner (or, when that owner has been
    deactivated since, a public `ownership_change` to their lead). By email (`by_email`),
    files the attachment policy refuses are listed on the entry instead of refusing it.
    """
    require(case, acting_user, "message")
    body = body.strip()
    if not body:
        raise CaseError("Write a message before sending it.")
    case = lock_case(case, None)
    entry = _entry_with_files(
        case,
        kind=EntryKind.CUSTOMER_MESSAGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        body=body,
        files=files,
        record_refused=by_email,
    )
    if case.status == Status.WAITING_ON_CUSTOMER:
        old = move(case, Status.OPEN)
        touch(case, fields=["status"])
        status_entry(case, actor=acting_user, old=old, new=case.status)
    elif case.status in (Status.PENDING_CONFIRMATION, Status.CLOSED):
        reopen_locked(case, actor=acting_user, reason="The customer wrote again.")
    else:
        touch(case, bump=False)
    if case.owner_id:
        outbox.notify_in_app(
            recipient=case.owner,
            case=case,
            kind=Notice.Kind.CUSTOMER_MESSAGE,
            subject=f"{acting_user.full_name} wrote on {case.reference}",
            body=body[:500],
            key=f"case:{case.pk}:customer_message:{entry.pk}",
        )
    return entry
