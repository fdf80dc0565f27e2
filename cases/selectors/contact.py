"""What the customer has heard from us, and how to reach them: the owner's view before
deciding to write or to call."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from cases import clocks
from cases.models import CallTask, Case, EntryKind, SLATarget, TimelineEntry, Visibility
from helpdesk.accounts.models import User


@dataclass
class Contact:
    automatic_this_week: int
    last_person_word: datetime | None
    call: CallTask | None
    local_time: datetime

    @property
    def call_them(self) -> bool:
        """Enough automatic mail: a person should speak to them."""
        return self.automatic_this_week >= 2


def contact(case: Case, *, now: datetime) -> Contact:
    """Two queries: what the customer heard (automatic updates this week, the last word
    from a person), and the open call task."""
    heard = TimelineEntry.objects.filter(case=case, visibility=Visibility.PUBLIC).aggregate(
        automatic=Count(
            "pk",
            filter=Q(
                kind=EntryKind.DELAY_NOTICE,
                data__automatic=True,
                data__target=SLATarget.NEXT_UPDATE,
                created__gt=now - timedelta(days=7),
            ),
        ),
        person=Max("created", filter=Q(actor__role__in=[User.Role.AGENT, User.Role.MANAGER])),
    )
    call = CallTask.objects.filter(case=case, status=CallTask.Status.OPEN).order_by("due").first()
    return Contact(
        automatic_this_week=heard["automatic"],
        last_person_word=heard["person"],
        call=call,
        local_time=now.astimezone(clocks.customer_zone(case)),
    )


def calls_to_make(user: User) -> list[CallTask]:
    """The agent's open call tasks, soonest first, with their cases and customers."""
    return list(
        CallTask.objects.filter(owner=user, status=CallTask.Status.OPEN)
        .select_related("case__customer", "case__organization")
        .order_by("due", "pk")[:20]
    )
