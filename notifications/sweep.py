"""The SLA sweep (Celery beat, every minute), which also keeps every new case staffed:
absences hand their cases over, waiting cases are routed, leads hear of long waits.

It reads only cases whose `next_sla_check` has come, through a partial index: the cost
follows the number of cases near a threshold, never the number of cases. Each case is
locked (`skip_locked`, so two sweeps never work on the same case) and every step it is
due is applied once (`cases.sla_steps.apply_step`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases import clocks
from cases.models import Case, Status
from cases.services import availability, routing, sla_steps
from notifications import outbox

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    cases: int = 0
    steps: int = 0
    failed: int = 0
    handed_over: int = 0
    routed: int = 0
    alerted: int = 0


def run_sweep(*, now: datetime | None = None, batch: int = 200) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    _staff_the_cases(result, now=now)
    while True:
        with outbox.deferred_delivery() as written, transaction.atomic():
            due = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_sla_check__lte=now)
                .select_related("organization", "owner", "customer", "owning_department__lead")
                .order_by("next_sla_check", "pk")[:batch]
            )
            for case in due:
                try:
                    with transaction.atomic():
                        result.steps += _sweep_case(case, now=now)
                except Exception:
                    # One broken case (e.g. a calendar with no working time) must not stop
                    # the sweep for every other case: look at it again in a quarter hour.
                    log.exception("SLA sweep failed on case %s", case.pk)
                    Case.objects.filter(pk=case.pk).update(
                        next_sla_check=now + timedelta(minutes=15)
                    )
                    result.failed += 1
        outbox.enqueue_many(written)
        result.cases += len(due)
        if len(due) < batch:
            return result


def _staff_the_cases(result: SweepResult, *, now: datetime) -> None:
    """Every new case an owner: absences that start hand their cases over, cases that
    waited are routed now that someone may be available, leads hear of the ones waiting
    too long. A failure here is logged and never stops the SLA steps."""
    with outbox.deferred_delivery() as written:
        try:
            result.handed_over = availability.hand_over_absences(now=now)
            result.routed = routing.route_waiting(now=now)
            result.alerted = availability.alert_leads(now=now)
        except Exception:
            log.exception("Routing in the sweep failed")
    outbox.enqueue_many(written)


def _sweep_case(case: Case, *, now: datetime) -> int:
    policy = clocks.policy_for(case)
    targets = policy.targets if policy else None
    due = clocks.thresholds(case, targets)
    if not due:
        Case.objects.filter(pk=case.pk).update(next_sla_check=None)
        return 0
    steps = 0
    for threshold in due:
        if threshold.at > now:
            break
        steps += sla_steps.apply_step(case, threshold, targets, now=now)
    if case.status == Status.CLOSED:
        return steps  # closed by the step itself; its service saved the case
    fields = clocks.refresh_clocks(case, now=now)
    upcoming = [t.at for t in clocks.thresholds(case, targets) if t.at > now]
    case.next_sla_check = min(upcoming) if upcoming else None
    case.save(update_fields=[*fields, "last_public_update"])
    return steps
