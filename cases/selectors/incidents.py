"""Incidents on the desk: the list, one incident's cases and updates, and the cases an
agent picked to open one from."""

from django.db.models import F, QuerySet

from cases.models import Case, Incident, parse_reference
from helpdesk.accounts.models import User


def incidents() -> QuerySet:
    """Open incidents first, then resolved ones, newest first."""
    return Incident.objects.select_related("created_by").order_by(
        F("resolved_at").asc(nulls_first=True), "-created"
    )


def incident_cases(incident: Incident) -> QuerySet:
    return (
        Case.objects.filter(incident=incident)
        .select_related("customer", "organization", "owner", "owning_department")
        .order_by("pk")
    )


def incident_updates(incident: Incident) -> QuerySet:
    return incident.updates.select_related("author").order_by("-created", "-pk")


def cases_by_references(user: User, references: list[str]) -> list[Case]:
    """The cases named by these references that the user may see, in the order given:
    one query however many were picked."""
    numbers = [n for n in (parse_reference(r) for r in references) if n is not None]
    found = Case.objects.visible_to(user).in_bulk(numbers)
    return [found[n] for n in dict.fromkeys(numbers) if n in found]
