"""Reports on who owns what: unowned cases, time to owner, cases that bounced."""

import statistics

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from cases.models import (
    Case,
    EntryKind,
    Handoff,
    Status,
    TimelineEntry,
)
from cases.reports.filters import Filters, Percentile, entries_of
from cases.selectors import ownership_path, recurs

# --- 1. unowned -----------------------------------------------------------------------------


def unowned(filters: Filters) -> dict:
    """New cases nobody owns, oldest first, and cases whose owner left (lapsed)."""
    opened = entries_of(EntryKind.CASE_OPENED).order_by("pk")
    new = (
        Case.objects.filter(status=Status.NEW, owner__isnull=True)
        .select_related("customer", "organization")
        .annotate(
            came_in=Subquery(opened.values("department__name")[:1]),
            channel=Subquery(opened.values("data__channel")[:1]),
        )
        .order_by("created", "pk")
    )
    # Since the owner left: the inheritance entry, not `updated` (any note moves that).
    inherited = entries_of(EntryKind.OWNERSHIP_CHANGE).filter(data__lapsed=True).order_by("-pk")
    lapsed = (
        filters.cases()
        .filter(ownership_lapsed=True)
        .exclude(status=Status.CLOSED)
        .select_related("customer", "organization", "owner", "owning_department")
        .annotate(lapsed_since=Coalesce(Subquery(inherited.values("created")[:1]), "updated"))
        .order_by("lapsed_since", "pk")
    )
    return {"new": new, "lapsed": lapsed}


# --- 2. time to owner -------------------------------------------------------------------------


def time_to_owner(filters: Filters, *, overall_only: bool = False) -> dict:
    waited = ExpressionWrapper(F("first_owned_at") - F("created"), output_field=DurationField())
    owned = (
        filters.cases()
        .filter(created__gte=filters.start, created__lt=filters.end, first_owned_at__isnull=False)
        .annotate(
            waited=waited,
            week=TruncWeek("created"),
            first_department_name=Coalesce(
                "first_department__name", Value("—"), output_field=CharField()
            ),
        )
    )
    if overall_only:
        return {"overall": _spread(owned, None)}
    # Cases of the period still without an owner count too: their wait is not over.
    waiting = (
        filters.cases()
        .filter(created__gte=filters.start, created__lt=filters.end, first_owned_at__isnull=True)
        .exclude(status=Status.CLOSED)
        .aggregate(n=Count("pk"), since=Min("created"))
    )
    return {
        "overall": _spread(owned, None),
        "waiting": {"n": waiting["n"], "longest": timezone.now() - waiting["since"]}
        if waiting["n"]
        else {"n": 0, "longest": None},
        "by_week": _spread(owned, "week"),
        "by_department": _spread(owned, "first_department_name"),
    }


def _spread(owned: QuerySet, key: str | None):
    """Median, 90th percentile and worst wait per group (or overall when key is None)."""
    if connection.vendor == "postgresql":
        figures = {
            "n": Count("pk"),
            "median": Percentile("waited", 0.5),
            "p90": Percentile("waited", 0.9),
            "worst": Max("waited"),
        }
        if key is None:
            return owned.aggregate(**figures)
        return list(owned.values(key).order_by(key).annotate(**figures))
    # SQLite (the embedded demo only): the database returns the waits, Python ranks them.
    rows: dict = {}
    for group, waited in owned.values_list(key or "pk", "waited"):
        rows.setdefault(group if key else None, []).append(waited)
    result = [
        {
            (key or "all"): group,
            "n": len(waits),
            "median": statistics.median(waits),
            "p90": sorted(waits)[max(round(0.9 * len(waits)) - 1, 0)],
            "worst": max(waits),
        }
        for group, waits in sorted(rows.items(), key=lambda pair: str(pair[0]))
    ]
    if key is None:
        return result[0] if result else {"n": 0, "median": None, "p90": None, "worst": None}
    return result


# --- 3. bounces -------------------------------------------------------------------------------


def bounces(filters: Filters) -> QuerySet:
    """Cases passed back and forth (A→B→A, a department asked twice, a declined handoff
    re-sent, more than three ownership changes) that moved in the period. The services
    keep `bounced` current, so this reads one partial index; `bounce_details` adds the
    path and counts for the rows shown."""
    return (
        filters.cases()
        .filter(bounced=True, updated__gte=filters.start, created__lt=filters.end)
        .select_related("customer", "organization", "owner", "owning_department")
        .order_by("-updated", "-pk")
    )


def bounce_details(cases: list[Case]) -> list[Case]:
    """Path and reasons for the bounced cases on one page: two queries whatever the page.
    The count of ownership changes is the one the services keep on the case."""
    ids = [case.pk for case in cases]
    chains: dict[int, list[dict]] = {pk: [] for pk in ids}
    for case_id, data in (
        TimelineEntry.objects.filter(kind=EntryKind.OWNERSHIP_CHANGE, case_id__in=ids)
        .order_by("case_id", "pk")
        .values_list("case_id", "data")
    ):
        chains[case_id].append(data)
    asked: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for case_id, department_id, status in Handoff.objects.filter(case_id__in=ids).values_list(
        "case_id", "department_id", "status"
    ):
        asked[case_id].append((department_id, status))
    for case in cases:
        chain, handoffs = chains[case.pk], asked[case.pk]
        departments = [department for department, _status in handoffs]
        case.path = " → ".join(ownership_path(chain))
        case.transfers = case.ownership_changes
        case.declines = sum(1 for _department, status in handoffs if status == "declined")
        case.owner_again = recurs([data.get("to") for data in chain])
        case.asked_again = len(departments) != len(set(departments))
    return cases
