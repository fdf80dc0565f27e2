"""What an email says when it leaves, not when it was written (one voice).

A customer's updates wait in the outbox for the throttle window (or the daily digest);
by the time they leave, the case may have moved on. The email is rebuilt from the case as
it is then:

- an update the case has moved past is dropped (a proposed fix the customer has since
  confirmed or rejected, "we need something from you" after they answered, a reminder
  to confirm on a case no longer waiting for it, a delay notice after the fix came);
- of several updates of one sort (two proposals, two delay notices, two updates on one
  known problem) only the latest goes;
- a person's reply always goes: it is someone's words, not a status;
- a closed case says so, first.

A dropped notice is marked overtaken with its reason and never leaves; when everything
was overtaken, no email is sent at all.
"""

import re
from dataclasses import dataclass, field

from cases.models import EntryKind, Status, TimelineEntry
from cases.text import markdown_to_plain, render_markdown
from notifications.models import Notice

# A status a notice announces, and the sort of notice it is: only the latest of a sort goes.
_WAITING_FOR = {
    Notice.Kind.CONFIRMATION_REMINDER: Status.PENDING_CONFIRMATION,
}
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b", re.I)


@dataclass
class Part:
    notice: Notice
    text: str
    html: str


@dataclass
class Letter:
    """One email: the notices it carries (oldest first) and those it drops."""

    notices: list[Notice]
    overtaken: list[tuple[Notice, str]] = field(default_factory=list)
    lead: str = ""

    @property
    def primary(self) -> Notice:
        return self.notices[0]

    def parts(self) -> list[Part]:
        return [
            Part(notice, markdown_to_plain(notice.body), render_markdown(notice.body))
            for notice in self.notices
        ]

    def greets(self) -> bool:
        """Our "Hello …" unless the first words already greet the reader."""
        return self.lead != "" or not _GREETING.match(self.notices[0].body)

    def subject(self) -> str:
        primary = self.notices[0]
        case = primary.case
        if self.lead:
            return f"[{case.reference}] Your case is closed: {case.title}"
        if len(self.notices) == 1:
            subject = primary.subject
        elif primary.recipient.is_agent:
            subject = f"[{case.reference}] {len(self.notices)} notices: {case.title}"
        else:
            subject = f"[{case.reference}] {len(self.notices)} updates on your case: {case.title}"
        if case is not None and f"[{case.reference}]" not in subject:
            subject = f"[{case.reference}] {subject}"
        return subject


def compose(batch: list[Notice]) -> Letter:
    """The email for these waiting notices (one case, one recipient, oldest first), as the
    case stands now. Only a customer's case updates are rebuilt; the rest go as written."""
    primary = batch[0]
    if primary.case is None or not primary.recipient.is_customer:
        return Letter(notices=list(batch))
    case = primary.case
    kept, overtaken = [], []
    for index, notice in enumerate(batch):
        reason = _overtaken_because(notice, batch[index + 1 :], case.status)
        if reason:
            overtaken.append((notice, reason))
        else:
            kept.append(notice)
    lead = ""
    if case.status == Status.CLOSED and kept and not any(_announces_closed(n) for n in kept):
        lead = _closed_words(case, primary.recipient)
    return Letter(notices=kept, overtaken=overtaken, lead=lead)


def _sort(notice: Notice) -> tuple | None:
    """Notices of one sort replace each other: only the latest tells the truth."""
    entry = notice.entry
    if notice.kind == Notice.Kind.AGENT_REPLY or entry is None:
        return None
    if entry.kind == EntryKind.STATUS_CHANGE:
        return ("status", entry.data.get("to"))
    if entry.kind == EntryKind.INCIDENT_UPDATE:
        return ("incident", entry.data.get("incident"))
    if entry.kind in (EntryKind.DELAY_NOTICE, EntryKind.CONFIRMATION_REMINDER):
        return (entry.kind,)
    return None


def _announces_closed(notice: Notice) -> bool:
    entry = notice.entry
    return (
        entry is not None
        and entry.kind == EntryKind.STATUS_CHANGE
        and (entry.data.get("to") == Status.CLOSED)
    )


def _overtaken_because(notice: Notice, later: list[Notice], status: str) -> str:
    """Why this update should not leave any more ("" when it should)."""
    if notice.kind == Notice.Kind.AGENT_REPLY or notice.entry is None:
        return ""
    sort = _sort(notice)
    if sort is not None and any(_sort(other) == sort for other in later):
        return "A later update of the same sort replaces it."
    entry = notice.entry
    announced = entry.data.get("to") if entry.kind == EntryKind.STATUS_CHANGE else None
    announced = announced or _WAITING_FOR.get(notice.kind)
    if announced and announced != status:
        return f"The case has moved on: it is {Status(status).label.lower()} now."
    if status == Status.CLOSED and not _announces_closed(notice):
        return "The case was closed before it left."
    if notice.kind == Notice.Kind.DELAY_NOTICE and status == Status.PENDING_CONFIRMATION:
        return "A fix was proposed before it left."
    return ""


def _closed_words(case, recipient) -> str:
    closing = (
        TimelineEntry.objects.filter(
            case=case, kind=EntryKind.STATUS_CHANGE, data__to=Status.CLOSED
        )
        .order_by("-created", "-pk")
        .only("actor_id")
        .first()
    )
    if closing is not None and closing.actor_id == recipient.pk:
        return "You confirmed the fix, and your case is closed. Thank you."
    return "Your case is closed."
