"""What every report shares: the period and filters a manager picks, a percentile
aggregate, and the subquery for a case's timeline entries of one kind."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Aggregate,
    OuterRef,
    QuerySet,
)
from django.utils import timezone

from cases.models import (
    Case,
    TimelineEntry,
)
from helpdesk.accounts.models import Department, User


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


def entries_of(kind: str) -> QuerySet:
    """A case's timeline entries of one kind, for a subquery on the outer case."""
    return TimelineEntry.objects.filter(case=OuterRef("pk"), kind=kind)
