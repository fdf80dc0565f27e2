"""Every tick of the simulated clock: the SLA sweep (with the routing of cases that
waited) and the outbox's delivery as beat and the workers would run them, the open cases
and every agent's load counted, and (in the tests) the product's promises checked."""

from collections.abc import Callable
from datetime import datetime

from django.core import mail
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from cases import reports
from cases.models import Case, EntryKind, SLATarget, Status, TimelineEntry
from cases.services import routing
from helpdesk.accounts.models import User
from notifications import delivery
from notifications.models import Notice
from notifications.sweep import run_sweep

from .config import Config, Outcome, spread
from .world import World


class Ticks:
    def __init__(
        self,
        config: Config,
        outcome: Outcome,
        world: World,
        *,
        route_waiting: Callable[[], int],
        owners_found: Callable[[], int],
        tables: list[str],
        check: bool,
    ):
        self.config = config
        self.outcome = outcome
        self.world = world
        self.route_waiting = route_waiting
        self.owners_found = owners_found
        self.tables = tables
        self.check_every_tick = check
        self.moved = True  # something happened since the last tick's counts
        self.loads: list[int] = []  # every Support agent's active cases at every tick

    def tick(self) -> None:
        now = timezone.now()
        if now.hour == 0 and now.minute < self.config.tick_minutes:
            self.analyze()
        swept = run_sweep(now=now)
        routed = self.route_waiting()
        delivery.deliver_many(delivery.redrive())
        if self.moved or swept.steps or routed or not self.outcome.ticks:
            self.moved = False
            counts = self.count_open(now)
        else:  # nobody did anything since the last tick: the counts stand
            counts = self.outcome.ticks[-1][1:4]
        self.outcome.ticks.append([now.isoformat(), *counts, *self.count_loads(now)])
        if self.check_every_tick:
            self.check_promises()

    def sweep(self) -> None:
        """Beat's sweep of the minute after something happened (which routes what waits
        too; the tick makes sure of it)."""
        swept = run_sweep(now=timezone.now())
        if self.owners_found() or swept.steps:
            self.moved = True

    def finish(self) -> None:
        self.outcome.active_cases_per_agent = spread(self.loads)

    def count_loads(self, now: datetime) -> list[int]:
        """[the busiest agent's active cases, cases beyond their owner's capacity]; every
        Support agent's load joins the spread. In normal mode nobody should hold more than
        their capacity, however the cases came (routed, handed over, reopened)."""
        load = dict(
            Case.objects.filter(status__in=routing.ACTIVE)
            .exclude(owner=None)
            .values("owner")
            .annotate(n=Count("pk"))
            .values_list("owner", "n")
        )
        people = self.world.people
        over = sum(max(n - people[pk].capacity, 0) for pk, n in load.items() if pk in people)
        self.loads += [load.get(a.pk, 0) for a in self.world.agents["Support"] if a.is_active]
        self.outcome.max_over_capacity = max(self.outcome.max_over_capacity, over)
        if over and not self.config.baseline:
            self.outcome.invariant_violations.append(
                f"{now:%Y-%m-%d %H:%M}: {over} case(s) beyond their owner's capacity"
            )
        return [max(load.values(), default=0), over]

    def count_open(self, now: datetime) -> list[int]:
        """[open cases, open and triaged without an active owner, new cases]; a triaged
        case without an active owner breaks a promise in either mode."""
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
        self.outcome.max_open_without_owner = max(
            self.outcome.max_open_without_owner, open_without_owner
        )
        self.outcome.max_untriaged = max(self.outcome.max_untriaged, untriaged)
        if open_without_owner:
            self.outcome.invariant_violations.append(
                f"{now:%Y-%m-%d %H:%M}: {open_without_owner} open case(s) without an active owner"
            )
        return [counts["open"], open_without_owner, untriaged]

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
        sent twice. (Every tick's counts check the rest: no triaged case without an active
        owner, no one over their capacity.)"""
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
