"""Chases: the customer had to ask us for news (the portal's "Any news?", or a call to ask
for status). The chased-before-told rate is the share of missed deadlines where the
customer asked before we told them of the delay; the goal is 0, beside the surprise rate.
We told them with the delay notice before the deadline, or, when none went, with our
first public word after it. Each figure is one query whatever the number of cases."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from cases.models import SLAEvent, SLAStep, SLATarget, TimelineEntry, Visibility
from cases.reports.filters import Filters
from helpdesk.accounts.models import User

DEADLINES = [SLATarget.FIRST_RESPONSE, SLATarget.RESOLUTION]
STAFF = [User.Role.AGENT, User.Role.MANAGER]


def chases(filters: Filters, *, headline: bool = False) -> dict:
    asked = filters.cases(
        TimelineEntry.objects.filter(
            data__chase=True, created__gte=filters.start, created__lt=filters.end
        ),
        prefix="case__",
    )
    totals = asked.aggregate(chases=Count("pk"), cases=Count("case", distinct=True))
    notified = SLAEvent.objects.filter(
        case=OuterRef("case"),
        target=OuterRef("target"),
        due=OuterRef("due"),
        step=SLAStep.CUSTOMER_NOTIFIED,
    )
    spoke_after = TimelineEntry.objects.filter(
        case=OuterRef("case"),
        visibility=Visibility.PUBLIC,
        actor__role__in=STAFF,
        created__gt=OuterRef("due"),
    ).order_by("created")
    told_at = Coalesce(
        Subquery(notified.values("created")[:1]),
        Subquery(spoke_after.values("created")[:1]),
        Value(filters.end),
    )
    # Our last public word from a person before the customer was told: a chase after it
    # (and up to the telling) is a customer who had to ask.
    last_word = Subquery(
        TimelineEntry.objects.filter(
            case=OuterRef(OuterRef("case")),
            visibility=Visibility.PUBLIC,
            actor__role__in=STAFF,
            created__lt=OuterRef(OuterRef("told_at")),
        )
        .order_by("-created")
        .values("created")[:1]
    )
    chased_first = TimelineEntry.objects.filter(
        case=OuterRef("case"),
        data__chase=True,
        created__lte=OuterRef("told_at"),
        created__gt=Coalesce(last_word, datetime(1970, 1, 1, tzinfo=filters.start.tzinfo)),
    )
    delays = filters.cases(
        SLAEvent.objects.filter(
            step=SLAStep.BREACHED,
            target__in=DEADLINES,
            due__gte=filters.start,
            due__lt=filters.end,
        ),
        prefix="case__",
    ).annotate(told_at=told_at)
    delays = {"n": delays.count(), "chased": delays.filter(Exists(chased_first)).count()}
    rate = round(100 * delays["chased"] / delays["n"], 1) if delays["n"] else None
    found = {
        "chases": totals["chases"],
        "cases_chased": totals["cases"],
        "delays": delays["n"],
        "chased_before_told": delays["chased"],
        "chased_before_told_rate": rate,
    }
    if headline:
        return found
    found["busiest"] = list(
        asked.values("case", "case__title").annotate(n=Count("pk")).order_by("-n", "case")[:20]
    )
    return found
