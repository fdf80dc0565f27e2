"""Reads that span relations, each with its joins fixed so query counts stay flat."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Case as DbCase
from django.db.models import F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least

from cases.models import (
    Attachment,
    Case,
    CustomerIdentifier,
    EntryKind,
    Handoff,
    HandoffStatus,
    Status,
    TimelineEntry,
    Visibility,
    parse_reference,
)
from helpdesk.accounts.models import Department, Organization, User

LIST_RELATED = ("customer", "organization", "owner", "owning_department")
PAGE_RELATED = (*LIST_RELATED, "incident")
TIMELINE_PAGE = 100


def _for_list(cases: QuerySet) -> QuerySet:
    return cases.select_related(*LIST_RELATED).prefetch_related(
        Prefetch("identifiers", queryset=CustomerIdentifier.objects.order_by("name", "pk"))
    )


FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def with_nearest_due(cases: QuerySet) -> QuerySet:
    """Annotate the nearest running SLA due time (NULLs never win, on PostgreSQL and
    SQLite); a paused or closed case's clocks do not run, so it sorts after every running
    one."""
    far = Value(FAR_FUTURE)
    return cases.annotate(
        nearest_due=DbCase(
            When(
                status__in=[Status.NEW, Status.OPEN],
                then=Least(
                    Coalesce("first_response_due", far),
                    Coalesce("next_update_due", far),
                    Coalesce("resolution_due", far),
                ),
            ),
            default=far,
        )
    )


def my_cases(user: User) -> QuerySet:
    """The agent's own active cases, nearest breach first (then priority, then oldest).

    Paused cases (waiting on the customer, pending confirmation) have no running clock
    and come after every running one.
    """
    return _for_list(
        with_nearest_due(
            Case.objects.visible_to(user).filter(owner=user).exclude(status=Status.CLOSED)
        ).order_by("nearest_due", "-priority", "created", "pk")
    )


def triage_queue(user: User) -> QuerySet:
    """Unowned new cases, oldest first: nobody's problem must stay nobody's for long."""
    return _for_list(
        Case.objects.visible_to(user)
        .filter(status=Status.NEW, owner__isnull=True)
        .order_by("created", "pk")
    )


SEARCH_LIMIT = 1000
SEARCH_MIN_CHARS = 3


def search_cases(user: User, query: str) -> QuerySet:
    """Reference, title, customer, organisation or any customer identifier.

    The matching ids come first, from one UNION whose every branch has its own index
    (trigram indexes on titles and identifier values on PostgreSQL; customers and
    organisations are small), capped at SEARCH_LIMIT; the page then reads only those
    cases. An OR across joined tables would scan every case instead.
    """
    query = query.strip()
    cases = Case.objects.visible_to(user)
    if not query:
        return cases.none()
    number = parse_reference(query)
    if len(query) < SEARCH_MIN_CHARS:
        # Too short to search inside texts: only a reference like "12" matches.
        return _for_list(cases.filter(pk=number or 0).order_by("-updated", "-pk"))
    people = User.objects.filter(
        Q(full_name__icontains=query) | Q(email__icontains=query), role=User.Role.CUSTOMER
    )
    branches = [
        Case.objects.filter(customer__in=people.values("pk")).values("pk"),
        Case.objects.filter(
            organization__in=Organization.objects.filter(name__icontains=query).values("pk")
        ).values("pk"),
        CustomerIdentifier.objects.filter(value__icontains=query).values("case_id"),
    ]
    if number is not None:
        branches.append(Case.objects.filter(pk=number).values("pk"))
    # UNION ALL lets the database stop at the limit; duplicates are dropped here.
    matches = Case.objects.filter(title__icontains=query).values("pk").union(*branches, all=True)
    ids = list(dict.fromkeys(row["pk"] for row in matches[:SEARCH_LIMIT]))
    return _for_list(cases.filter(pk__in=ids).order_by("-updated", "-pk"))


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
    if after is None and first is not None:
        earlier = _visible_entries(user, case, public_only=public_only).filter(pk__lt=first).count()
    return {
        "entries": entries,
        "first_id": first,
        "last_id": entries[-1].pk if entries else (after or 0),
        "earlier": earlier,
    }


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


# --- handoffs ------------------------------------------------------------------------------


def department_queue(user: User, *, department_id: int | None = None) -> QuerySet:
    """Open handoffs for the agent's departments: unassigned first, then theirs, then others."""
    departments = user.departments.all()
    if department_id is not None:
        departments = (
            Department.objects.filter(pk=department_id)
            if user.is_manager
            else departments.filter(pk=department_id)
        )
    return (
        Handoff.objects.visible_to(user)
        .open()
        .filter(department__in=departments)
        .annotate(
            queue_rank=DbCase(
                When(assignee__isnull=True, then=Value(0)),
                When(assignee=user, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related(
            "department",
            "assignee",
            "requested_by",
            "case__customer",
            "case__organization",
            "case__owner",
            "case__owning_department",
        )
        .prefetch_related(
            Prefetch(
                "case__identifiers", queryset=CustomerIdentifier.objects.order_by("name", "pk")
            )
        )
        .order_by("queue_rank", F("due").asc(nulls_last=True), "created", "pk")
    )


def case_handoffs(case: Case) -> list[Handoff]:
    return list(
        Handoff.objects.filter(case=case)
        .select_related("department", "assignee", "requested_by")
        .order_by("created", "pk")
    )


@dataclass(frozen=True)
class BounceStats:
    """How much a case was passed around: the raw material of the bounce report."""

    ownership_changes: int
    handoffs: int
    declines: int
    owner_path: list[str]
    bounced: bool


def bounce_stats(case: Case, handoffs: list[Handoff]) -> BounceStats:
    """The case's bounce data for its page: the flag and count the services keep, and the
    owners' path to show."""
    chain = TimelineEntry.objects.filter(case=case, kind=EntryKind.OWNERSHIP_CHANGE)
    return BounceStats(
        ownership_changes=case.ownership_changes,
        handoffs=len(handoffs),
        declines=sum(1 for h in handoffs if h.status == HandoffStatus.DECLINED),
        owner_path=ownership_path(chain.order_by("pk").values_list("data", flat=True)),
        bounced=case.bounced,
    )


def ownership_path(chain) -> list[str]:
    """Owning departments in order, repeats in a row merged. Entries that name no
    department are skipped: a placeholder between two equal names would read as a bounce
    (Support → ? → Support)."""
    path: list[str] = []
    for data in chain:
        name = data.get("department")
        if name and (not path or path[-1] != name):
            path.append(name)
    return path


def recurs(sequence) -> bool:
    """True when a value comes back after something else came between (A→B→A)."""
    seen = set()
    previous = object()
    for item in sequence:
        if item != previous and item in seen:
            return True
        seen.add(item)
        previous = item
    return False


# --- portal --------------------------------------------------------------------------------


def portal_cases(user: User) -> QuerySet:
    """The customer's cases: open ones first, most recently updated first."""
    return (
        Case.objects.visible_to(user)
        .select_related("owner", "owning_department", "customer")
        .annotate(
            is_closed=DbCase(
                When(status=Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            next_contact=Coalesce("eta", "next_update_due", "first_response_due"),
        )
        .order_by("is_closed", "-updated", "-pk")
    )


def where_it_is(case: Case) -> list[Handoff]:
    """Open handoffs with a customer-safe summary: all the portal may say of them."""
    return list(
        Handoff.objects.open()
        .filter(case=case)
        .exclude(customer_summary="")
        .select_related("department")
        .order_by("created", "pk")
    )


def similar_open_cases(user: User, title: str, *, limit: int = 5) -> list[Case]:
    """The customer's organisation's open cases whose titles share a word with `title`."""
    words = [w for w in title.lower().split() if len(w) >= 4][:6]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    return list(
        Case.objects.visible_to(user)
        .exclude(status=Status.CLOSED)
        .filter(condition)
        .order_by("-updated")[:limit]
    )
