"""What the case page reads: the case with its people, the timeline window, what was
written while an agent wrote a reply, the agents one may transfer to, attachments."""

from django.db.models import Prefetch, Q, QuerySet

from cases.models import (
    Attachment,
    Case,
    CustomerIdentifier,
    TimelineEntry,
    Visibility,
)
from cases.selectors.queues import LIST_RELATED
from helpdesk.accounts.models import User

PAGE_RELATED = (*LIST_RELATED, "incident")
TIMELINE_PAGE = 100


def case_for_page(user: User, reference: str) -> Case | None:
    """The case header's data, through the visibility rule; None means 404."""
    return (
        Case.objects.visible_to(user)
        .by_reference(reference)
        .select_related(*PAGE_RELATED, "satisfaction")
        .prefetch_related(
            Prefetch("identifiers", queryset=CustomerIdentifier.objects.order_by("name", "pk"))
        )
        .first()
    )


def _visible_entries(user: User, case: Case, *, public_only: bool) -> QuerySet:
    entries = TimelineEntry.objects.visible_to(user).filter(case=case)
    # The portal shows what customers read, to agents previewing it too.
    return entries.filter(visibility=Visibility.PUBLIC) if public_only else entries


def timeline(
    user: User,
    case: Case,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = TIMELINE_PAGE,
    public_only: bool = False,
) -> list[TimelineEntry]:
    """Entries the user may see, oldest first.

    With `after`, only newer entries (the poll); otherwise the latest `limit` entries
    (optionally those before an entry id, for "show earlier").
    """
    entries = (
        _visible_entries(user, case, public_only=public_only)
        .select_related("actor", "department")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )
    if after is not None:
        return list(entries.filter(pk__gt=after).order_by("pk")[:limit])
    if before is not None:
        entries = entries.filter(pk__lt=before)
    latest = list(entries.order_by("-pk")[:limit])
    latest.reverse()
    return latest


def timeline_window(
    user: User,
    case: Case,
    *,
    after: int | None = None,
    before: int | None = None,
    public_only: bool = False,
) -> dict:
    """What a timeline fragment needs: the entries, the ids the poller and the "show
    earlier" button carry, and how many earlier entries remain."""
    entries = timeline(user, case, after=after, before=before, public_only=public_only)
    first = entries[0].pk if entries else None
    earlier = 0
    # A window shorter than a page is the whole history: nothing earlier to count.
    if after is None and len(entries) == TIMELINE_PAGE:
        earlier = _visible_entries(user, case, public_only=public_only).filter(pk__lt=first).count()
    return {
        "entries": entries,
        "first_id": first,
        "last_id": entries[-1].pk if entries else (after or 0),
        "earlier": earlier,
    }


def replied_meanwhile(case: Case, user: User, *, after: int) -> list[TimelineEntry]:
    """Public entries newer than entry `after` written by anyone but `user` (the
    customer, another agent, the system), oldest first: what the customer has heard or
    said since `user` last looked."""
    return list(
        TimelineEntry.objects.filter(case=case, visibility=Visibility.PUBLIC, pk__gt=after)
        .exclude(actor=user)
        .select_related("actor")
        .order_by("pk")
    )


def agents_for_picker(query: str = "") -> QuerySet:
    agents = User.objects.filter(
        is_active=True, role__in=[User.Role.AGENT, User.Role.MANAGER]
    ).prefetch_related("departments")
    query = query.strip()
    if query:
        agents = agents.filter(
            Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(departments__name__icontains=query)
        ).distinct()
    return agents.order_by("full_name")


def attachment_for(user: User, case: Case, attachment_id: int) -> Attachment | None:
    return Attachment.objects.visible_to(user).filter(case=case, pk=attachment_id).first()
