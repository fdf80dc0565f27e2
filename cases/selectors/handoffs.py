"""Handoffs: a department's queue, a case's handoffs, and how much a case was passed
around (its bounce data)."""

from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import F, IntegerField, Prefetch, QuerySet, Value, When

from cases.models import (
    Case,
    CustomerIdentifier,
    EntryKind,
    Handoff,
    HandoffStatus,
    TimelineEntry,
)
from helpdesk.accounts.models import Department, User


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
