"""Small helpers for the case tests: URLs of the desk and a re-read of the database."""

from cases.models import Case

HTMX = {"HX-Request": "true"}


def fresh(case: Case) -> Case:
    """The case as the database has it now."""
    return Case.objects.get(pk=case.pk)


def case_url(case: Case, suffix: str = "") -> str:
    return f"/desk/cases/{case.reference}/{suffix}"
