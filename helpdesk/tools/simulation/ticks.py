"""Every tick of the simulated clock: the SLA sweep and the outbox's delivery as beat and
the workers would run them, the open cases counted, and (in the tests) the product's
promises checked."""

from datetime import datetime

from django.core import mail
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from cases import reports
from cases.models import Case, EntryKind, SLATarget, Status, TimelineEntry
from helpdesk.accounts.models import User
from notifications import delivery
from notifications.models import Notice
from notifications.sweep import run_sweep

from .config import Config, Outcome


class Ticks:
    def __init__(self, config: Config, outcome: Outcome, *, tables: list[str], check: bool):
        self.config = config
        self.outcome = outcome
        self.tables = tables
        self.check_every_tick = check
        self.moved = True  # something happened since the last tick's counts

    def tick(self) -> None:
        now = timezone.now()
        if now.hour == 0 and now.minute < self.config.tick_minutes:
            self.analyze()
        swept = run_sweep(now=now)
        delivery.deliver_many(delivery.redrive())
        if self.moved or swept.steps or not self.outcome.ticks:
            self.moved = False
            self.count_open(now)
        else:  # nobody did anything since the last tick: the counts stand
            self.outcome.ticks.append([now.isoformat(), *self.outcome.ticks[-1][1:]])
        if self.check_every_tick:
            self.check_promises()

    def sweep(self) -> None:
        if run_sweep(now=timezone.now()).steps:
            self.moved = True

    def count_open(self, now: datetime) -> None:
        counts = Case.objects.aggregate(
            open=Count("pk", filter=~Q(status=Status.CLOSED)),
            open_without_owner=Count(
                "pk",
                filter=~Q(status__in=[Status.NEW, Status.CLOSED])
                & (Q(owner__isnull=True) | Q(owner__is_active=False)),
            ),
            untriaged=Count("pk", filter=Q(status=Status.NEW)),
        )
        open_without_owner, untriaged = counts["open_without_owner"], counts["untriaged"]
        self.outcome.ticks.append([now.isoformat(), counts["open"], open_without_owner, untriaged])
        self.outcome.max_open_without_owner = max(
            self.outcome.max_open_without_owner, open_without_owner
        )
        self.outcome.max_untriaged = max(self.outcome.max_untriaged, untriaged)
        if open_without_owner:
            self.outcome.invariant_violations.append(
                f"{now:%Y-%m-%d %H:%M}: {open_without_owner} open case(s) without an active owner"
            )

    def analyze(self) -> None:
        """Once a simulated day, let PostgreSQL's planner see how the tables grew (they
        grow inside one transaction, which autovacuum never sees)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(self.tables)}")

    def check_promises(self) -> None:
        """The tests' check at every tick (normal mode): no email to a customer outside the
        case's voice, no deadline missed without telling the customer first, no notice
        sent twice."""
        if self.config.baseline:
            return
        now = f"{timezone.now():%Y-%m-%d %H:%M}"
        department_mail = Notice.objects.filter(
            channel=Notice.Channel.EMAIL, recipient__role=User.Role.CUSTOMER
        ).exclude(kind__in=reports.CASE_VOICE_KINDS)
        if department_mail.exists():
            self.outcome.invariant_violations.append(
                f"{now}: an email to a customer outside the case's voice"
            )
        surprises = TimelineEntry.objects.filter(
            kind=EntryKind.SLA_BREACHED, data__customer_told_before=False
        ).exclude(data__target=SLATarget.NEXT_UPDATE)
        if surprises.exists():
            self.outcome.invariant_violations.append(
                f"{now}: a deadline missed without telling the customer first"
            )
        ids = [message.extra_headers.get("Message-ID") for message in mail.outbox]
        if len(ids) != len(set(ids)):
            self.outcome.invariant_violations.append(f"{now}: a notice was sent twice")
