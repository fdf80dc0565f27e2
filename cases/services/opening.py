"""How a case comes to exist: opened by an agent for a customer, or reported by the
customer in the portal or by email. Every case starts `new` in its intake department:
unowned in triage, or, where that department routes automatically, owned at once."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cases import clocks
from cases.models import (
    PRIORITIES_BY_TIER,
    Case,
    CustomerIdentifier,
    EntryKind,
    Priority,
    Visibility,
)
from cases.services import attachments, routing
from cases.services.core import department_of, write_entry
from cases.services.errors import CaseError, NotAllowed
from cases.services.permissions import require_agent
from helpdesk.accounts.models import User


@dataclass(frozen=True)
class IdentifierInput:
    name: str
    value: str


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
    record_refused: bool = False,
    mailbox: str = "",
    category: str = "",
) -> Case:
    """The one way a case comes to exist: new, its clocks started, its story the first
    public entry, the customer's references on file; in the department the intake rules
    choose, and given an owner at once when that department routes automatically."""
    title = title.strip()
    if not title:
        raise CaseError("A case needs a title.")
    files, refused = attachments.checked(files, record_refused=record_refused)
    if refused:
        data = {**data, "refused_attachments": refused}
    now = timezone.now()
    case = Case(
        title=title[:200],
        description=description,
        customer=customer,
        organization=customer.organization,
        priority=priority,
        created=now,
        updated=now,
        category=category[:80],
        intake_department=routing.intake_department(
            organization_id=customer.organization_id,
            title=title,
            mailbox=mailbox,
            category=category,
        ),
    )
    clocks.refresh_clocks(case, now=now)  # its clocks start with it: one INSERT
    case.save(force_insert=True)
    # The story is the customer's, in their words, whoever typed it: an agent opening a
    # case on their behalf is named in the entry's data, and its department kept.
    on_behalf = acting_user.pk != customer.pk
    if on_behalf:
        data = {
            **data,
            "opened_by": acting_user.pk,
            "opened_by_name": acting_user.full_name,
            "summary": f"opened by {acting_user.full_name} on the customer's behalf",
        }
    entry = write_entry(
        case=case,
        kind=EntryKind.CASE_OPENED,
        actor=customer,
        visibility=Visibility.PUBLIC,
        body=description,
        data=data,
        department=department_of(acting_user) if on_behalf else None,
    )
    attachments.attach(case=case, entry=entry, files=files, user=acting_user)
    for identifier in identifiers:
        if identifier.name.strip() and identifier.value.strip():
            CustomerIdentifier.objects.get_or_create(
                case=case,
                name=identifier.name.strip()[:60],
                value=identifier.value.strip()[:200],
                defaults={"added_by": acting_user},
            )
    routing.route(case, now=now)
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
    require_agent(acting_user)
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
    mailbox: str = "",
    category: str = "",
) -> Case:
    """A customer opens a case in the portal (or by email).

    Who: an active customer; the priority must be one their organisation's tier allows.
    Writes: `case_opened` (public, the description). The case starts `new` in triage.
    By email, files the attachment policy refuses are listed on that entry instead.
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
        record_refused=channel == "email",
        mailbox=mailbox,
        category=category,
    )


def _labels(priorities) -> str:
    return ", ".join(Priority(p).label.lower() for p in priorities)
