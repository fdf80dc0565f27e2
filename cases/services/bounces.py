"""The bounce rule: when a case counts as passed back and forth.

The services keep two fields current (`ownership_changes`, `bounced`); the case page and
the bounce report read them instead of re-deriving the rule.
"""

from cases import selectors
from cases.models import Case, EntryKind, Handoff, TimelineEntry

BOUNCE_TRANSFERS = 3


def note_bounce(case: Case) -> None:
    """Keep the case's bounce data current after its owner or handoffs changed.

    Bounced: an owner or an owning department comes back (A→B→A), a department is asked
    twice (e.g. a declined handoff re-sent), or more than BOUNCE_TRANSFERS changes of hands.
    Once bounced, a case stays bounced.
    """
    chain = list(
        TimelineEntry.objects.filter(case=case, kind=EntryKind.OWNERSHIP_CHANGE)
        .order_by("pk")
        .values_list("data", flat=True)
    )
    asked = list(Handoff.objects.filter(case=case).values_list("department_id", flat=True))
    changes = sum(1 for data in chain if data.get("from"))
    path = selectors.ownership_path(chain)
    bounced = (
        case.bounced
        or changes > BOUNCE_TRANSFERS
        or selectors.recurs([data.get("to") for data in chain])
        or len(path) != len(set(path))
        or len(asked) != len(set(asked))
    )
    if changes != case.ownership_changes or bounced != case.bounced:
        case.ownership_changes, case.bounced = changes, bounced
        Case.objects.filter(pk=case.pk).update(ownership_changes=changes, bounced=bounced)
