"""What a run comes to, read back from the database the run wrote (through the same
reports managers read) before it is rolled back."""

from datetime import datetime, timedelta

from django.core import mail

from cases import reports
from cases.models import (
    CallDirection,
    CallOutcome,
    CallTask,
    Case,
    EntryKind,
    Promise,
    Status,
    TimelineEntry,
)
from cases.sla import business_time_between, office_hours
from helpdesk.accounts.models import Absence, User
from notifications.models import Notice

from .config import START, Outcome, spread
from .schedule import CLOSES, OPENS

# The customers' hours: a case reported at 17:59 and owned at 08:01 waited two minutes.
BUSINESS_HOURS = office_hours("UTC", f"{OPENS:02}:00", f"{CLOSES:02}:00")

Verdicts = dict[int, list[tuple[datetime, bool]]]


def measure(outcome: Outcome, *, baseline: bool, end: datetime, verdicts: Verdicts) -> None:
    cases = Case.objects.filter(customer__email__endswith="@sim.test")
    outcome.cases = cases.count()
    # A case still waiting for its first owner has waited until the end so far.
    waits = [
        business_time_between(BUSINESS_HOURS, created, owned or end).total_seconds() / 60
        for created, owned in cases.values_list("created", "first_owned_at")
    ]
    outcome.time_to_owner_business_minutes = spread(waits)
    filters = reports.Filters(start=START, end=end + timedelta(days=1))
    sla = reports.sla(filters)
    outcome.breaches, outcome.surprises = sla["breaches"], sla["surprises"]
    outcome.surprise_rate = sla["surprise_rate"]
    promised = Promise.objects.all()
    outcome.promises = promised.count()
    settled = promised.exclude(settled_at=None)
    outcome.promises_kept_share = (
        round(100 * settled.filter(kept=True).count() / settled.count(), 1)
        if settled.exists()
        else None
    )
    written = Notice.objects.filter(
        channel=Notice.Channel.EMAIL, recipient__role=User.Role.CUSTOMER
    )
    # An update the case moved past before it left never reaches the customer.
    outcome.updates_overtaken = written.filter(status=Notice.Status.OVERTAKEN).count()
    to_customers = written.exclude(status=Notice.Status.OVERTAKEN)
    per_case = dict.fromkeys(cases.values_list("pk", flat=True), 0)
    # An email is a message that left: notices the one-voice throttle merged into another's
    # message travel inside it (as the managers' report counts them).
    for case_id in to_customers.filter(merged_into=None).values_list("case_id", flat=True):
        if case_id in per_case:
            per_case[case_id] += 1
    outcome.emails_per_case = spread(list(per_case.values()))
    outcome.emails_outside_owner_voice = to_customers.exclude(
        kind__in=reports.CASE_VOICE_KINDS
    ).count()
    questions = dict.fromkeys(per_case, 0)
    for case_id in to_customers.filter(
        kind__in=["confirmation_reminder", "department_update"]
    ).values_list("case_id", flat=True):
        if case_id in questions:
            questions[case_id] += 1
    outcome.close_questions_per_case = spread(list(questions.values()))
    quality = reports.quality(filters)
    # Reopened per fix offered: a proposal, or (the baseline's) a closing without asking;
    # the managers' report counts proposals only, which the baseline hardly makes.
    offered = quality["proposed"] + quality["closed_by_owner"]
    outcome.reopen_rate = round(100 * quality["reopened"] / offered, 1) if offered else None
    outcome.closed_by_confirmation = quality["confirmed"]
    outcome.closed_by_timeout = quality["auto_closed"]
    outcome.closed_by_owner = quality["closed_by_owner"]
    outcome.false_closures = false_closures(verdicts)
    outcome.absences = Absence.objects.count()
    outcome.absences_handed_over = Absence.objects.exclude(handed_over_at=None).count()
    outcome.bounced = cases.filter(bounced=True).count()
    measure_contact(outcome, filters)
    ids = [message.extra_headers.get("Message-ID") for message in mail.outbox]
    outcome.duplicate_notices = len(ids) - len(set(ids))
    if not baseline and outcome.surprises:
        outcome.invariant_violations.append(
            f"{outcome.surprises} deadline breach(es) without a notice to the customer first"
        )


def measure_contact(outcome: Outcome, filters: reports.Filters) -> None:
    """Calls asked for and made, and the customers who had to ask for news (through the
    managers' report)."""
    outcome.call_tasks = CallTask.objects.count()
    calls = TimelineEntry.objects.filter(
        kind=EntryKind.CALL, data__direction=CallDirection.OUTBOUND
    )
    outcome.calls = calls.count()
    outcome.calls_reached = calls.filter(data__outcome=CallOutcome.REACHED).count()
    chased = reports.chases(filters, headline=True)
    outcome.chases, outcome.cases_chased = chased["chases"], chased["cases_chased"]
    outcome.chased_before_told = chased["chased_before_told"]
    outcome.chased_before_told_rate = chased["chased_before_told_rate"]


def false_closures(verdicts: Verdicts) -> int:
    """Closures (by the owner, the customer or the timeout) while the last fix proposed
    had left the problem broken."""
    closures = TimelineEntry.objects.filter(
        kind=EntryKind.STATUS_CHANGE, data__to=Status.CLOSED
    ).values_list("case_id", "created")
    false = 0
    for case_id, closed in closures:
        before = [broken for when, broken in verdicts.get(case_id, []) if when <= closed]
        false += bool(before and before[-1])
    return false
