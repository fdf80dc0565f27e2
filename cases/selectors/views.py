"""The desk's views: the lists of the sidebar (my cases, breaching soon, waiting on the
customer, awaiting confirmation, unowned), each sortable and narrowed by the filters in the
URL, the agent's saved views, and their live counts.

A view is a filter over the cases the agent may see (`visible_to`); the counts of every
view, saved ones included, come from one aggregate query, whatever the number of cases or
of saved views.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone

from cases.models import Case, Handoff, Incident, Priority, SavedView, Status, parse_reference
from cases.selectors.queues import for_list, with_nearest_due
from helpdesk.accounts.models import Department, Organization, User
from notifications.models import InboundMessage

# "Breaching soon": a running clock due within this time, or already past.
SOON = timedelta(hours=2)


@dataclass(frozen=True)
class View:
    slug: str
    title: str
    empty: str  # what an empty list says


VIEWS = {
    view.slug: view
    for view in (
        View("mine", "My cases", "You own no open cases."),
        View("breaching", "Breaching soon", "None of your cases is due within two hours."),
        View("waiting", "Waiting on the customer", "None of your cases waits on a customer."),
        View(
            "confirming",
            "Awaiting confirmation",
            "No fix of yours is waiting for the customer's word.",
        ),
        View("unowned", "Unowned", "Nobody's problem is unowned."),
    )
}

# Sort keys a column header offers; "-" in the URL reverses.
SORTS = {
    "reference": ("pk",),
    "title": ("title", "pk"),
    "priority": ("priority", "pk"),
    "status": ("status", "pk"),
    "customer": ("customer__full_name", "pk"),
    "due": ("nearest_due", "-priority", "pk"),
    "updated": ("updated", "pk"),
    "created": ("created", "pk"),
}
DEFAULT_SORT = {"unowned": "created", "waiting": "updated", "confirming": "updated"}


def _filters(user: User, now) -> dict[str, Q]:
    mine = Q(owner=user) & ~Q(status=Status.CLOSED)
    soon = now + SOON
    running = Q(status__in=[Status.NEW, Status.OPEN])
    due_soon = (
        Q(first_response_due__lte=soon) | Q(next_update_due__lte=soon) | Q(resolution_due__lte=soon)
    )
    return {
        "mine": mine,
        "breaching": mine & running & due_soon,
        "waiting": Q(owner=user, status=Status.WAITING_ON_CUSTOMER),
        "confirming": Q(owner=user, status=Status.PENDING_CONFIRMATION),
        "unowned": Q(status=Status.NEW, owner__isnull=True),
    }


def sort_of(slug: str, sort: str | None) -> str:
    """The sort asked for if it is one a header offers, else the view's own."""
    return chosen_sort(sort) or DEFAULT_SORT.get(slug, "due")


def chosen_sort(sort: str | None) -> str:
    """The sort asked for if it is one a header offers, else "" (the view's own)."""
    return sort if sort and sort.lstrip("-") in SORTS else ""


# A view lists cases still being worked on: closed is no status to filter by.
FILTER_STATUSES = [(value, label) for value, label in Status.choices if value != Status.CLOSED]
# Words of a title or a reference; anything longer is cut, not refused.
Q_MAX_LENGTH = 100


@dataclass(frozen=True)
class FilterChoices:
    """The departments and organisations a filter may name: (pk, name), by name."""

    departments: list[tuple[int, str]]
    organizations: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """What the filter form offers (one query each)."""
    return FilterChoices(
        departments=list(Department.objects.order_by("name").values_list("pk", "name")),
        organizations=list(Organization.objects.order_by("name").values_list("pk", "name")),
    )


@dataclass(frozen=True)
class ViewFilters:
    """What narrows a view: any of some priorities, a status, the owning department, the
    organisation, and words of the title or a reference.

    Read from a URL's query; a value that does not parse (or names a department or an
    organisation that is not among `choices`) is ignored, never an error: a link someone
    edited by hand still shows a list.
    """

    priorities: tuple[int, ...] = ()
    status: str = ""
    department: int | None = None
    organization: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict, choices: FilterChoices | None = None) -> "ViewFilters":
        priorities = sorted(
            {p for p in map(_int, query.getlist("priority")) if p in Priority.values}
        )
        status = query.get("status", "")
        department = _int(query.get("department"))
        organization = _int(query.get("organization"))
        if choices is not None:
            department = department if department in dict(choices.departments) else None
            organization = organization if organization in dict(choices.organizations) else None
        return cls(
            priorities=tuple(priorities),
            status=status if status in dict(FILTER_STATUSES) else "",
            department=department,
            organization=organization,
            q=" ".join(query.get("q", "").split())[:Q_MAX_LENGTH],
        )

    def __bool__(self) -> bool:
        return bool(self.params())

    def params(self) -> list[tuple[str, str | int]]:
        """The filters set, as URL parameters in a fixed order."""
        params: list[tuple[str, str | int]] = [("priority", p) for p in self.priorities]
        for name in ("status", "department", "organization", "q"):
            if value := getattr(self, name):
                params.append((name, value))
        return params

    def as_q(self) -> Q:
        q = Q()
        if self.priorities:
            q &= Q(priority__in=self.priorities)
        if self.status:
            q &= Q(status=self.status)
        if self.department:
            q &= Q(owning_department_id=self.department)
        if self.organization:
            q &= Q(organization_id=self.organization)
        if self.q:
            words = Q(title__icontains=self.q)
            number = parse_reference(self.q)
            q &= (words | Q(pk=number)) if number is not None else words
        return q


def _int(raw: str | None) -> int | None:
    # ASCII digits only: "²".isdigit() is true, but int("²") fails.
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def view_query(filters: ViewFilters, sort: str = "") -> str:
    """The filters and the chosen sort as one query string, known parameters only and in a
    fixed order: what a saved view stores, and what its links carry."""
    sort = chosen_sort(sort)
    return urlencode([*filters.params(), *([("sort", sort)] if sort else [])])


def view_cases(
    user: User, slug: str, *, sort: str | None = None, filters: ViewFilters | None = None
) -> QuerySet:
    """The cases of one view, narrowed by `filters`, sorted by a column (`-` reverses)."""
    sort = sort_of(slug, sort)
    fields = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    cases = Case.objects.visible_to(user).filter(_filters(user, timezone.now())[slug])
    if filters:
        cases = cases.filter(filters.as_q())
    return for_list(with_nearest_due(cases)).order_by(*fields)


def saved_views(user: User) -> list[SavedView]:
    """The agent's own saved views, by name (one query). Nobody else's, ever."""
    return list(SavedView.objects.filter(owner=user).order_by(Lower("name"), "pk"))


def saved_view_filters(saved: SavedView) -> ViewFilters:
    """A saved view's filters, read back from the query it stores."""
    return ViewFilters.from_query(QueryDict(saved.query))


def view_counts(user: User, *, saved: Sequence[SavedView] = ()) -> dict[str, int]:
    """Every view's count and each of the `saved` views' (one query, `case_count` on each
    saved view), with the open handoffs of the agent's departments, the incidents not
    resolved and the quarantined mail (one query each)."""
    filters = _filters(user, timezone.now())
    counted = {slug: Count("pk", filter=q) for slug, q in filters.items()}
    for view in saved:
        if view.base_view in filters:
            q = filters[view.base_view] & saved_view_filters(view).as_q()
            counted[f"saved_{view.pk}"] = Count("pk", filter=q)
    counts = Case.objects.visible_to(user).aggregate(**counted)
    for view in saved:
        view.case_count = counts.pop(f"saved_{view.pk}", 0)
    counts["handoffs"] = (
        Handoff.objects.open().filter(department__in=user.departments.all()).count()
    )
    counts["incidents"] = Incident.objects.filter(resolved_at__isnull=True).count()
    counts["mail"] = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).count()
    return counts
