"""Manager reports. Every figure is computed by the database (aggregates, subqueries,
window-free GROUP BYs), never by looping over cases in Python; each report runs a fixed
number of queries whatever the number of cases.

Percentiles use PostgreSQL's percentile_cont. The embedded SQLite demo has no such
aggregate; there, and only there, time-to-owner percentiles are computed from the
durations the database returns for the period.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
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
    Promise,
    Satisfaction,
    SLAEvent,
    SLAStep,
    SLATarget,
    Status,
    TimelineEntry,
)
from cases.selectors import ownership_path, recurs, with_nearest_due
from helpdesk.accounts.models import Department, User
from notifications.models import Notice

# Emails a customer may get from their case: the owner's words and the system's on the
# owner's behalf. Anything else reaching a customer would be a second voice.
CASE_VOICE_KINDS = {
    Notice.Kind.AGENT_REPLY,
    Notice.Kind.STATUS_CHANGE,
    Notice.Kind.DELAY_NOTICE,
    Notice.Kind.INCIDENT_LINK,
    Notice.Kind.INCIDENT_UPDATE,
    Notice.Kind.CONFIRMATION_REMINDER,
}


class Percentile(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


@dataclass
class Filters:
    start: datetime
    end: datetime
    department: Department | None = None
    owner: User | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> "Filters":
        today = timezone.localdate()
        errors = []
        start_day = _date(query.get("from"), today - timedelta(days=29), errors, "From")
        end_day = _date(query.get("to"), today, errors, "To")
        if end_day < start_day:
            errors.append("The period ends before it starts; showing the last 30 days.")
            start_day, end_day = today - timedelta(days=29), today
        tz = timezone.get_current_timezone()
        department = _pick(Department.objects.all(), query.get("department"))
        owner = _pick(
            User.objects.filter(role__in=[User.Role.AGENT, User.Role.MANAGER]), query.get("owner")
        )
        return cls(
            start=datetime.combine(start_day, time.min, tzinfo=tz),
            end=datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=tz),
            department=department,
            owner=owner,
            errors=errors,
        )

    @property
    def start_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def end_day(self) -> date:
        return timezone.localtime(self.end).date() - timedelta(days=1)

    def cases(self, cases: QuerySet | None = None, prefix: str = "") -> QuerySet:
        cases = Case.objects.all() if cases is None else cases
        if self.department is not None:
            cases = cases.filter(**{f"{prefix}owning_department": self.department})
        if self.owner is not None:
            cases = cases.filter(**{f"{prefix}owner": self.owner})
        return cases


def _date(raw, default: date, errors: list[str], label: str) -> date:
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label} date {raw!r} is not a date like 2026-11-01.")
        return default
    if day >= date.max:  # the period ends the day after: there is none
        errors.append(f"{label} date {raw!r} is out of range.")
        return default
    return day


def _pick(queryset, raw):
    # ASCII digits only: "²".isdigit() is true, but int("²") fails.
    return queryset.filter(pk=int(raw)).first() if raw and raw.isascii() and raw.isdigit() else None


def _entries(kind: str):
    return TimelineEntry.objects.filter(case=OuterRef("pk"), kind=kind)


# --- 1. unowned -----------------------------------------------------------------------------


def unowned(filters: Filters) -> dict:
    """New cases nobody owns, oldest first, and cases whose owner left (lapsed)."""
    opened = _entries(EntryKind.CASE_OPENED).order_by("pk")
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
    inherited = _entries(EntryKind.OWNERSHIP_CHANGE).filter(data__lapsed=True).order_by("-pk")
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
    return {
        "overall": _spread(owned, None),
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


# --- 4. SLA -------------------------------------------------------------------------------------


def sla(filters: Filters, *, headline: bool = False) -> dict:
    """`headline`: the totals only, for the summary (no table rows)."""
    now = timezone.now()
    at_risk = (
        with_nearest_due(filters.cases().filter(status__in=[Status.NEW, Status.OPEN]))
        .filter(nearest_due__lte=now + timedelta(hours=4))
        .select_related("customer", "organization", "owner", "owning_department")
        .order_by("nearest_due", "pk")
    )
    told_before = SLAEvent.objects.filter(
        case=OuterRef("case"),
        target=OuterRef("target"),
        due=OuterRef("due"),
        step=SLAStep.CUSTOMER_NOTIFIED,
        created__lte=OuterRef("due"),
    )
    breaches = filters.cases(
        SLAEvent.objects.filter(step=SLAStep.BREACHED, due__gte=filters.start, due__lt=filters.end),
        prefix="case__",
    ).annotate(told=Exists(told_before))
    # The surprise rate is about deadlines (first response, resolution). A missed update
    # interval is followed by an automatic update by design, so it is counted in the
    # table but not as a surprise.
    deadlines = Q(target__in=[SLATarget.FIRST_RESPONSE, SLATarget.RESOLUTION])
    totals = breaches.aggregate(
        total=Count("pk", filter=deadlines),
        surprises=Count("pk", filter=deadlines & Q(told=False)),
        missed_updates=Count("pk", filter=Q(target=SLATarget.NEXT_UPDATE)),
    )
    by_target = (
        []
        if headline
        else list(
            breaches.values("target", "case__owning_department__name")
            .annotate(total=Count("pk"), surprises=Count("pk", filter=Q(told=False)))
            .order_by("target", "case__owning_department__name")
        )
    )
    for row in by_target:
        row["target_label"] = SLATarget(row["target"]).label
    return {
        "at_risk": at_risk,
        "breaches": totals["total"],
        "surprises": totals["surprises"],
        "missed_updates": totals["missed_updates"],
        "surprise_rate": _share(totals["surprises"], totals["total"]),
        "by_target": by_target,
    }


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


# --- 5. promises --------------------------------------------------------------------------------


def promises(filters: Filters, *, headline: bool = False) -> dict:
    made = Promise.objects.filter(created__gte=filters.start, created__lt=filters.end)
    if filters.department is not None:
        made = made.filter(department=filters.department)
    if filters.owner is not None:
        made = made.filter(made_by=filters.owner)
    figures = {
        "total": Count("pk"),
        "settled": Count("pk", filter=Q(settled_at__isnull=False)),
        "kept": Count("pk", filter=Q(kept=True)),
    }
    overall = made.aggregate(**figures)
    rows = (
        []
        if headline
        else list(
            made.values("made_by__full_name", "department__name")
            .annotate(**figures)
            .order_by("made_by__full_name", "department__name")
        )
    )
    for row in [overall, *rows]:
        row["kept_share"] = _share(row["kept"], row["settled"])
    return {"overall": overall, "rows": rows}


# --- 6. resolution quality ------------------------------------------------------------------------


def quality(filters: Filters, *, headline: bool = False) -> dict:
    entries = filters.cases(
        TimelineEntry.objects.filter(
            kind__in=[EntryKind.STATUS_CHANGE, EntryKind.CONFIRMATION, EntryKind.REOPEN],
            created__gte=filters.start,
            created__lt=filters.end,
        ),
        prefix="case__",
    )
    closed = Q(kind=EntryKind.STATUS_CHANGE, data__to=Status.CLOSED)
    counts = entries.aggregate(
        confirmed=Count("pk", filter=Q(kind=EntryKind.CONFIRMATION)),
        auto_closed=Count("pk", filter=closed & Q(data__auto=True)),
        closed=Count("pk", filter=closed),
        proposed=Count(
            "pk",
            filter=Q(kind=EntryKind.STATUS_CHANGE, data__to=Status.PENDING_CONFIRMATION),
        ),
        reopened=Count("pk", filter=Q(kind=EntryKind.REOPEN)),
    )
    counts["closed_by_owner"] = max(
        counts["closed"] - counts["confirmed"] - counts["auto_closed"], 0
    )
    counts["reopen_rate"] = _share(counts["reopened"], counts["proposed"])
    ratings = filters.cases(
        Satisfaction.objects.filter(created__gte=filters.start, created__lt=filters.end),
        prefix="case__",
    )
    summary = ratings.aggregate(average=Avg("rating"), n=Count("pk"))
    if headline:
        return {**counts, "satisfaction": summary}
    distribution = dict(ratings.values_list("rating").annotate(n=Count("pk")).order_by("rating"))
    by_owner = list(
        ratings.values("case__owning_department__name", "case__owner__full_name")
        .annotate(average=Avg("rating"), n=Count("pk"))
        .order_by("case__owning_department__name", "case__owner__full_name")
    )
    return {
        **counts,
        "satisfaction": summary,
        "distribution": [(str(r), distribution.get(r, 0)) for r in range(1, 6)],
        "by_owner": by_owner,
    }


# --- 7. one voice ---------------------------------------------------------------------------


def voice(filters: Filters, *, headline: bool = False) -> dict:
    emails = filters.cases(
        Notice.objects.filter(
            channel=Notice.Channel.EMAIL,
            recipient__role=User.Role.CUSTOMER,
            created__gte=filters.start,
            created__lt=filters.end,
        ),
        prefix="case__",
    )
    # A message that left: sent, and not merged into another notice's message. One still
    # waiting in the outbox has not reached the customer yet.
    sent_alone = Q(merged_into__isnull=True, status=Notice.Status.SENT)
    totals = emails.aggregate(
        emails=Count("pk"),
        cases=Count("case", distinct=True),
        messages=Count("pk", filter=sent_alone),
        outside=Count("pk", filter=~Q(kind__in=CASE_VOICE_KINDS)),
    )
    totals["per_case"] = round(totals["emails"] / totals["cases"], 1) if totals["cases"] else None
    if headline:
        return totals
    busiest = list(
        emails.values("case", "case__title")
        .annotate(n=Count("pk"), sent=Count("pk", filter=sent_alone))
        .order_by("-n", "case")[:20]
    )
    outside = list(emails.exclude(kind__in=CASE_VOICE_KINDS).values("case", "kind")[:20])
    return {**totals, "busiest": busiest, "outside_rows": outside}
