"""What the portal reads for a customer: their cases, where one is, similar ones, and
the known issues that affect them."""

from django.db.models import Case as DbCase
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When

from cases.models import (
    Case,
    CustomerIdentifier,
    Handoff,
    Incident,
    Status,
    Visibility,
)
from helpdesk.accounts.models import User


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
        )
        .order_by("is_closed", "-updated", "-pk")
    )


def where_it_is(case: Case) -> list[Handoff]:
    """Open and completed handoffs with a customer-safe summary: all the portal may say
    of them (`Handoff.customer_line`)."""
    return list(
        Handoff.objects.told_to_customer()
        .filter(case=case)
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


def portal_case(user: User, reference: str) -> Case | None:
    """The case page of the portal, through the visibility rule; None means 404."""
    return (
        Case.objects.visible_to(user)
        .by_reference(reference)
        .select_related("owner", "owning_department", "customer", "organization", "incident")
        .prefetch_related(
            Prefetch("identifiers", queryset=CustomerIdentifier.objects.order_by("name", "pk"))
        )
        .first()
    )


def open_incident_for(user: User, incident_id: int) -> Incident | None:
    """A known issue the customer may follow from the report form, if still open."""
    return Incident.objects.visible_to(user).open().filter(pk=incident_id).first()


def public_incident_updates(incident: Incident) -> QuerySet:
    """What every affected customer reads of an incident, newest first."""
    return incident.updates.filter(visibility=Visibility.PUBLIC).order_by("-created", "-pk")


def my_cases_on_incident(user: User, incident: Incident, *, limit: int = 20) -> list[Case]:
    """The customer's own cases linked to an incident."""
    return list(Case.objects.visible_to(user).filter(incident=incident).order_by("pk")[:limit])
