"""The desk's views: the lists of the sidebar (my cases, breaching soon, waiting on the
customer, awaiting confirmation, unowned), each sortable, and their live counts.

A view is a filter over the cases the agent may see (`visible_to`); its counts come from
one aggregate query, whatever the number of cases.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.models import Case, Handoff, Incident, Status
from cases.selectors.queues import LIST_RELATED, with_nearest_due
from helpdesk.accounts.models import User
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
    if sort and sort.lstrip("-") in SORTS:
        return sort
    return DEFAULT_SORT.get(slug, "due")


def view_cases(user: User, slug: str, *, sort: str | None = None) -> QuerySet:
    """The cases of one view, sorted by a column (`-` reverses)."""
    sort = sort_of(slug, sort)
    fields = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    cases = Case.objects.visible_to(user).filter(_filters(user, timezone.now())[slug])
    return (
        with_nearest_due(cases)
        .select_related(*LIST_RELATED)
        .prefetch_related("identifiers")
        .order_by(*fields)
    )


def view_counts(user: User) -> dict[str, int]:
    """Every view's count (one query), with the open handoffs of the agent's departments,
    the incidents not resolved and the quarantined mail (one query each)."""
    filters = _filters(user, timezone.now())
    counts = Case.objects.visible_to(user).aggregate(
        **{slug: Count("pk", filter=q) for slug, q in filters.items()}
    )
    counts["handoffs"] = (
        Handoff.objects.open().filter(department__in=user.departments.all()).count()
    )
    counts["incidents"] = Incident.objects.filter(resolved_at__isnull=True).count()
    counts["mail"] = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).count()
    return counts
