"""Reports on what customers get: SLA and surprises, promises, resolution quality, one voice."""

from datetime import timedelta

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone

from cases.models import (
    EntryKind,
    Promise,
    Satisfaction,
    SLAEvent,
    SLAStep,
    SLATarget,
    Status,
    TimelineEntry,
)
from cases.reports.filters import Filters
from cases.selectors import with_nearest_due
from helpdesk.accounts.models import User
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
    Notice.Kind.OWNERSHIP_CHANGE,
    Notice.Kind.CALL,
}


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
