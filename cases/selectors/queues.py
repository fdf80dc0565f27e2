"""The desk's lists of cases: my cases by time to breach, the triage queue, search."""

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db.models import Case as DbCase
from django.db.models import Prefetch, Q, QuerySet, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce, Least

from cases.models import (
    Case,
    CustomerIdentifier,
    Status,
    parse_reference,
)
from cases.selectors import search
from helpdesk.accounts.models import Organization, User

LIST_RELATED = ("customer", "organization", "owner", "owning_department")
# What a row of a list shows, and no more: a case has some thirty columns and each of its
# people twenty, and reading and building them was a third of a list's time.
LIST_FIELDS = (
    "title",
    "priority",
    "status",
    "version",
    "created",
    "updated",
    "paused_at",
    "customer__full_name",
    "organization__name",
    "owner__full_name",
    "owning_department__name",
)


IDENTIFIERS = Prefetch("identifiers", queryset=CustomerIdentifier.objects.order_by("name", "pk"))


def for_list(cases: QuerySet, *, identifiers: bool = True) -> QuerySet:
    """`cases` read as a list of rows draws them: the columns it shows, the people and
    organisation named, and the customer identifiers (one more query), unless the caller
    reads those for several lists at once (`with_identifiers`)."""
    cases = cases.only(*LIST_FIELDS).select_related(*LIST_RELATED)
    return cases.prefetch_related(IDENTIFIERS) if identifiers else cases


def with_identifiers(*lists: Iterable[Case]) -> None:
    """Read the customer identifiers of the cases of every list given, in one query."""
    prefetch_related_objects([case for cases in lists for case in cases], IDENTIFIERS)


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


MINE = ~Q(status=Status.CLOSED)
TRIAGE = Q(status=Status.NEW, owner__isnull=True)


def my_cases(user: User, *, identifiers: bool = True) -> QuerySet:
    """The agent's own active cases, nearest breach first (then priority, then oldest).

    Paused cases (waiting on the customer, pending confirmation) have no running clock
    and come after every running one.
    """
    return for_list(
        with_nearest_due(Case.objects.visible_to(user).filter(MINE, owner=user)).order_by(
            "nearest_due", "-priority", "created", "pk"
        ),
        identifiers=identifiers,
    )


def triage_queue(user: User, *, identifiers: bool = True) -> QuerySet:
    """Unowned new cases, oldest first: nobody's problem must stay nobody's for long."""
    return for_list(
        with_nearest_due(Case.objects.visible_to(user)).filter(TRIAGE).order_by("created", "pk"),
        identifiers=identifiers,
    )


REFERENCE_TYPED_RE = re.compile(r"^\s*C-?\d{1,12}\s*$", re.IGNORECASE)


def case_by_reference(user: User, query: str) -> Case | None:
    """The case a typed reference (`C-000031`, `c31`) names, if this user may see it.

    Bare numbers are not references here: "404" is more likely words in a title.
    """
    if not REFERENCE_TYPED_RE.match(query or ""):
        return None
    return Case.objects.visible_to(user).filter(pk=parse_reference(query)).first()


SEARCH_LIMIT = 1000
SEARCH_MIN_CHARS = 3


class SearchResults(Sequence):
    """The ids found, in their order, and their cases read a page at a time: a Paginator
    slices this as it would a queryset."""

    def __init__(self, ids: list[int], query: str = "", *, public_only: bool = True):
        self.ids = ids
        self.query = query
        self.public_only = public_only

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        found = for_list(with_nearest_due(Case.objects.filter(pk__in=ids)))
        cases = {case.pk: case for case in found}
        page = [cases[pk] for pk in ids if pk in cases]
        if self.query and len(self.query) >= SEARCH_MIN_CHARS:
            said = search.passages(ids, self.query, public_only=self.public_only)
            for case in page:
                case.passage = said.get(case.pk)
        return page


def search_cases(user: User, query: str) -> SearchResults:
    """Reference, title, customer, organisation or any customer identifier, then what the
    cases say (description and timeline, `cases.selectors.search`), best first.

    The direct matches come first, newest first, from one UNION whose every branch has its
    own index (trigram indexes on titles and identifier values on PostgreSQL; customers and
    organisations are small); then the cases whose words match, by rank. Each part is
    capped at SEARCH_LIMIT and kept to the cases this user may see; a page then reads only
    its cases, with the passage that matched.
    """
    query = query.strip()
    cases = Case.objects.visible_to(user)
    if not query:
        return SearchResults([])
    number = parse_reference(query)
    if len(query) < SEARCH_MIN_CHARS:
        # Too short to search inside texts: only a reference like "12" matches.
        return SearchResults(list(cases.filter(pk=number or 0).values_list("pk", flat=True)))
    people = User.objects.filter(
        Q(full_name__icontains=query) | Q(email__icontains=query), role=User.Role.CUSTOMER
    )
    # Each branch drops its model's default ordering: SQLite refuses ORDER BY inside the
    # parts of a compound statement.
    branches = [
        Case.objects.filter(customer__in=people.values("pk")).values("pk").order_by(),
        Case.objects.filter(
            organization__in=Organization.objects.filter(name__icontains=query).values("pk")
        )
        .values("pk")
        .order_by(),
        CustomerIdentifier.objects.filter(value__icontains=query).values("case_id").order_by(),
    ]
    if number is not None:
        branches.append(Case.objects.filter(pk=number).values("pk").order_by())
    # UNION ALL lets the database stop at the limit; duplicates are dropped here.
    titles = Case.objects.filter(title__icontains=query).values("pk").order_by()
    matches = titles.union(*branches, all=True)
    direct = list(dict.fromkeys(row["pk"] for row in matches[:SEARCH_LIMIT]))
    direct = list(
        cases.filter(pk__in=direct).order_by("-updated", "-pk").values_list("pk", flat=True)
    )
    # Agents read every entry (internal notes too); anyone else only what the portal shows.
    public_only = not user.is_agent
    known = set(direct)
    said = search.text_matches(query, limit=SEARCH_LIMIT, public_only=public_only)
    said = [pk for pk in said if pk not in known]
    visible = set(cases.filter(pk__in=said).values_list("pk", flat=True))
    ids = [*direct, *(pk for pk in said if pk in visible)][:SEARCH_LIMIT]
    return SearchResults(ids, query, public_only=public_only)
