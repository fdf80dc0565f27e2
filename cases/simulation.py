"""A simulated support floor driving the real product: services, SLA sweep, outbox.

Time is the simulation's clock (time-machine moves it; nothing sleeps). Every run happens
inside one transaction that is rolled back at the end, so the database is left as it was
and two modes can run from the same state. Randomness comes from one seeded generator, so
a seed gives the same figures every time.

`baseline` switches off what makes this product different: no proactive customer notice,
no one-voice throttle, departments write to the customer themselves, and owners close
without asking the customer to confirm.
"""

import heapq
import itertools
import random
import statistics
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import override_settings

from cases import clocks, demo, reports, services, similarity
from cases.models import (
    PRIORITIES_BY_TIER,
    Case,
    EntryKind,
    Handoff,
    HandoffStatus,
    Promise,
    SLAEvent,
    SLAStep,
    SLATarget,
    Status,
    TimelineEntry,
)
from cases.services import handoffs, incidents, promises, sla_steps
from helpdesk import queue
from helpdesk.accounts.models import Department, Organization, User
from notifications import delivery, outbox
from notifications.models import Notice
from notifications.sweep import run_sweep

START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # a Monday morning
DEPARTMENTS = ["Support", "Software", "Hardware", "Parts", "Warranty"]
PROBLEMS = [
    "Laptop battery does not charge", "Printer jams on every job", "VPN drops every hour",
    "Invoice shows the wrong amount", "Password reset email never arrives",
    "Monitor flickers on the docking station", "Order arrived damaged",
    "Cannot export the monthly report", "Phone app crashes at login", "Water leak in the kitchen",
]  # fmt: skip
RELEASE_PROBLEM = "Web program shows an error page after sign in"
# The tables a run fills: analysed as they grow, vacuumed after the rollback.
TABLES = [
    model._meta.db_table
    for model in (Case, TimelineEntry, Notice, SLAEvent, Handoff, Promise, User)
]


@dataclass
class Config:
    weeks: float = 8.0
    cases_per_day: int = 200
    seed: int = 42
    baseline: bool = False
    organizations: int = 4
    customers_per_organization: int = 40
    agents_per_department: int = 6
    tick_minutes: int = 30
    p_handoff: float = 0.35
    p_decline: float = 0.15
    p_wait: float = 0.2
    p_still_broken: float = 0.12
    p_never_confirms: float = 0.1
    p_owner_tells_delay: float = 0.5
    release_day: int = 10
    deactivate_day: int = 20


@dataclass
class Outcome:
    mode: str
    cases: int = 0
    time_to_owner_minutes: dict = field(default_factory=dict)
    breaches: int = 0
    surprises: int = 0
    surprise_rate: float | None = None
    promises: int = 0
    promises_kept_share: float | None = None
    emails_per_case: dict = field(default_factory=dict)
    emails_outside_owner_voice: int = 0
    close_questions_per_case: dict = field(default_factory=dict)
    reopen_rate: float | None = None
    closed_by_confirmation: int = 0
    closed_by_timeout: int = 0
    closed_by_owner: int = 0
    bounced: int = 0
    max_open_without_owner: int = 0
    max_untriaged: int = 0
    # At every tick: [simulated time, open cases, open without an active owner, untriaged].
    ticks: list = field(default_factory=list)
    invariant_violations: list = field(default_factory=list)
    duplicate_notices: int = 0


def spread(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p90": round(ordered[max(round(0.9 * len(ordered)) - 1, 0)], 1),
        "max": round(ordered[-1], 1),
    }


class Floor:
    """The world: organisations, customers, departments and agents, and what they do."""

    def __init__(self, config: Config, *, check_every_tick: bool = False):
        self.config = config
        self.random = random.Random(config.seed)
        self.queue: list = []
        self.order = itertools.count()
        self.check_every_tick = check_every_tick
        self.outcome = Outcome(mode="baseline" if config.baseline else "normal")
        self.load: dict[int, int] = {}
        self.moved = True  # something happened since the last tick's counts
        self.next_sweep: datetime | None = None
        self.release_cases: list[Case] = []
        self.incident = None

    # --- the world --------------------------------------------------------------------

    def build(self) -> None:
        demo.seed_sla()
        self.departments = {
            name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS
        }
        self.manager = User.objects.create_user(
            "sim-manager@sim.test", None, full_name="Sim Manager", role=User.Role.MANAGER
        )
        self.manager.departments.add(self.departments["Support"])
        self.people: dict[int, User] = {self.manager.pk: self.manager}
        self.agents: dict[str, list[User]] = {}
        for name, department in self.departments.items():
            people = []
            for n in range(self.config.agents_per_department):
                agent = User.objects.create_user(
                    f"sim-{name.lower()}-{n}@sim.test", None, full_name=f"{name} agent {n}",
                    role=User.Role.AGENT,
                )  # fmt: skip
                agent.departments.add(department)
                people.append(agent)
                self.people[agent.pk] = agent
            department.lead = people[0]
            department.save(update_fields=["lead"])
            self.agents[name] = people
        tiers = ["basic", "standard", "premium", "standard"]
        self.customers = []
        for n in range(self.config.organizations):
            organization = Organization.objects.create(
                name=f"Sim organisation {n}", sla_tier=tiers[n % len(tiers)]
            )
            for m in range(self.config.customers_per_organization):
                customer = User.objects.create_user(
                    f"sim-customer-{n}-{m}@sim.test",
                    None,
                    full_name=f"Customer {n}-{m}",
                    organization=organization,
                )
                self.customers.append(customer)
                self.people[customer.pk] = customer

    # --- the engine --------------------------------------------------------------------

    def at(self, when: datetime, action, *args) -> None:
        heapq.heappush(self.queue, (when, next(self.order), action, args))

    def run(self) -> Outcome:
        config = self.config
        end = START + timedelta(weeks=config.weeks)
        with ExitStack() as stack:
            stack.enter_context(
                override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                    CUSTOMER_EMAIL_THROTTLE=0 if config.baseline else 15 * 60,
                )
            )
            # Outside the sweep's own batching, notices are delivered by the ticks below.
            stack.enter_context(mock.patch.object(queue, "send_now", lambda *_task: True))
            if config.baseline:
                # No proactive notice: the sweep still warns owners and records breaches.
                real_step = sla_steps.apply_step

                def without_customer_notice(case, threshold, targets, *, now):
                    if threshold.step == SLAStep.CUSTOMER_NOTIFIED:
                        return False
                    return real_step(case, threshold, targets, now=now)

                stack.enter_context(
                    mock.patch.object(sla_steps, "apply_step", without_customer_notice)
                )
            # The run is one transaction, rolled back at the end: nested atomic blocks need
            # no savepoints (a failure aborts the whole run rather than one action).
            stack.enter_context(mock.patch.object(connection.features, "uses_savepoints", False))
            clock = stack.enter_context(time_machine.travel(START, tick=False))
            self.build()
            self._schedule_arrivals(end)
            tick = START
            while tick < end:
                self.at(tick, self.tick)
                tick += timedelta(minutes=config.tick_minutes)
            self.at(START + timedelta(days=config.deactivate_day), self.deactivate_someone)
            while self.queue:
                when, _n, action, args = heapq.heappop(self.queue)
                if when > end:
                    break
                clock.move_to(when)
                if action not in (self.tick, self.sweep):
                    self.moved = True
                    # Beat runs the sweep every minute: what an event made due (a case
                    # resumed close to its deadline) is seen within the minute, not at
                    # the next tick.
                    minute = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
                    if minute != self.next_sweep:
                        self.next_sweep = minute
                        self.at(minute, self.sweep)
                action(*args)
            self.report(end)
        return self.outcome

    def _schedule_arrivals(self, end: datetime) -> None:
        """Poisson arrivals during weekday business hours (08:00 to 18:00 UTC): the gaps
        between customers are counted in business time, so `cases_per_day` arrive on
        each working day."""
        rate_per_minute = self.config.cases_per_day / (10 * 60)
        moment = _opening(START)
        while moment < end:
            gap = timedelta(minutes=self.random.expovariate(rate_per_minute))
            closing = moment.replace(hour=18, minute=0, second=0, microsecond=0)
            while moment + gap >= closing:  # the rest of the gap runs from the next opening
                gap -= closing - moment
                moment = _opening(closing)
                closing = moment.replace(hour=18, minute=0, second=0, microsecond=0)
            moment += gap
            if moment < end:
                self.at(moment, self.arrive)

    def later(self, minutes_low: float, minutes_high: float) -> datetime:
        from django.utils import timezone

        return timezone.now() + timedelta(minutes=self.random.uniform(minutes_low, minutes_high))

    # --- what people do ------------------------------------------------------------------

    def arrive(self) -> None:
        from django.utils import timezone

        customer = self.random.choice(self.customers)
        day = (timezone.now() - START).days
        releasing = self.config.release_day <= day < self.config.release_day + 2
        title = RELEASE_PROBLEM if releasing and self.random.random() < 0.3 else None
        allowed = PRIORITIES_BY_TIER[customer.organization.sla_tier]
        priority = self.random.choices(allowed, weights=[3, 5, 2, 1][: len(allowed)])[0]
        case = services.report_case(
            acting_user=customer,
            title=title or self.random.choice(PROBLEMS),
            description="It started this morning and it is blocking our work.",
            priority=priority,
        )
        if title:
            self.release_cases.append(case)
        self.at(self.later(5, 90), self.triage, case.pk)

    def triage(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.owner_id:
            return
        owner = min(
            (a for a in self.agents["Support"] if a.is_active),
            key=lambda a: (self.load.get(a.pk, 0), a.pk),
        )
        case = services.take_ownership(case=case, acting_user=owner, expected_version=None)
        self.load[owner.pk] = self.load.get(owner.pk, 0) + 1
        if case.title == RELEASE_PROBLEM:
            self.maybe_open_incident(case, owner)
        self.at(self.later(10, 90), self.first_reply, case_id)

    def maybe_open_incident(self, case: Case, owner: User) -> None:
        if self.incident is not None:
            self.incident.refresh_from_db()
            if self.incident.is_open:
                incidents.link_case(case=case, incident=self.incident, acting_user=owner)
            return
        found = similarity.similar_to(case)
        if len(found.cases) >= 2:
            self.incident = incidents.open_incident(
                acting_user=owner,
                title="Sign-in errors after the release",
                cause="Release 7.1",
                cases=[case, *found.cases],
            )
            update = incidents.post_update(
                incident=self.incident, acting_user=owner, public=True,
                body="We found the cause in last week's release and are fixing it.",
            )  # fmt: skip
            incidents.fan_out(update.pk)
            self.at(self.later(12 * 60, 24 * 60), self.fix_release, owner.pk)

    def fix_release(self, owner_id: int) -> None:
        owner = self.people[owner_id]
        if not owner.is_active:
            owner = self.manager
        update = incidents.post_update(
            incident=self.incident, acting_user=owner, public=True, status="resolved",
            body="The fix is deployed. Please confirm it works for you.",
        )  # fmt: skip
        incidents.fan_out(update.pk)
        waiting = Case.objects.filter(incident=self.incident, status=Status.PENDING_CONFIRMATION)
        for case in waiting:
            if self.config.baseline:  # closed without asking the customer
                services.close_case(
                    case=case, acting_user=self.people[case.owner_id],
                    reason="Fixed by the release fix.",
                    expected_version=None,
                )  # fmt: skip
            else:
                self.at(self.later(30, 600), self.customer_answers_proposal, case.pk)

    def owner_of(self, case_id: int) -> tuple[Case, User | None]:
        """The case as it is now, and its owner (the same person object all run long)."""
        case = Case.objects.get(pk=case_id)
        return case, self.people.get(case.owner_id)

    def first_reply(self, case_id: int) -> None:
        case, owner = self.owner_of(case_id)
        if case.status != Status.OPEN:
            return
        services.reply_to_customer(
            case=case, acting_user=owner, body="I own your case now and I am on it."
        )
        if self.random.random() < self.config.p_wait:
            services.wait_on_customer(
                case=case, acting_user=owner, expected_version=None,
                message="Could you send the serial number?",
            )  # fmt: skip
            self.at(self.later(60, 2 * 24 * 60), self.customer_answers_wait, case_id)
        else:
            self._work(case)

    def customer_answers_wait(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.status == Status.WAITING_ON_CUSTOMER:
            services.add_customer_message(
                case=case, acting_user=self.people[case.customer_id],
                body="The serial is SN-12345.",
            )  # fmt: skip
            case = Case.objects.get(pk=case_id)
        self._work(case)

    def _work(self, case: Case) -> None:
        if case.status != Status.OPEN:
            return
        if self.random.random() < self.config.p_handoff:
            name = self.random.choice(DEPARTMENTS[1:])
            self.ask_department(case.pk, name, case=case)
        else:
            self.plan_resolution(case, minutes=self.random.uniform(60, 2 * 24 * 60))

    def ask_department(self, case_id: int, name: str, *, case: Case | None = None) -> None:
        if case is None:
            case = Case.objects.get(pk=case_id)
        owner = self.people.get(case.owner_id)
        if case.status == Status.CLOSED or owner is None:
            return
        handoff = handoffs.request_handoff(
            case=case, acting_user=owner, department=self.departments[name],
            needed=f"Please do your part ({name}).",
            customer_summary=f"our {name} team is working on it",
        )  # fmt: skip
        self.at(self.later(15, 240), self.department_acts, handoff.pk)

    def department_acts(self, handoff_id: int) -> None:
        handoff = Handoff.objects.select_related("case", "department").get(pk=handoff_id)
        if handoff.status != HandoffStatus.REQUESTED:
            return
        member = self.random.choice(self.agents[handoff.department.name])
        if self.random.random() < self.config.p_decline:
            handoffs.decline_handoff(
                handoff=handoff, acting_user=member, reason="We need the order ID first."
            )
            # The owner fixes what was missing and asks again.
            self.at(self.later(30, 240), self.ask_department, handoff.case_id,
                    handoff.department.name)  # fmt: skip
            return
        handoffs.accept_handoff(handoff=handoff, acting_user=member)
        if self.config.baseline:
            self.department_writes_to_customer(handoff.case, handoff.department.name)
        # Some department work is long enough to threaten the deadline.
        hours = self.random.choice([2, 4, 8, 24, 48, 72])
        self.at(self.later(hours * 45, hours * 75), self.department_done, handoff_id, member.pk)

    def department_done(self, handoff_id: int, member_id: int) -> None:
        handoff = Handoff.objects.select_related("case", "department").get(pk=handoff_id)
        if not handoff.is_open:
            return
        member = self.people[member_id]
        handoffs.complete_handoff(
            handoff=handoff, acting_user=member, result="Done on our side.",
            customer_summary="our part is done",
        )  # fmt: skip
        if self.config.baseline:
            self.department_writes_to_customer(handoff.case, handoff.department.name)
        self.plan_resolution(
            Case.objects.get(pk=handoff.case_id), minutes=self.random.uniform(30, 8 * 60)
        )

    def department_writes_to_customer(self, case: Case, name: str) -> None:
        """Baseline only: every department writes to the customer itself, asking whether
        the case can be closed."""
        outbox.notify_by_email(
            recipient=self.people[case.customer_id],
            case=case,
            kind="department_update",
            subject=f"[{case.reference}] From {name}: is it resolved, can we close it?",
            body=f"{name} did its part. Is it resolved? Can we close the case?",
            key=f"sim:{case.pk}:{name}:{next(self.order)}",
        )

    def plan_resolution(self, case: Case, *, minutes: float) -> None:
        """The owner expects to have it fixed in `minutes`; some say so when that is past
        the deadline."""
        if case.status != Status.OPEN:
            return
        case_id = case.pk
        when = self.later(minutes, minutes)
        due = case.resolution_due
        if (
            not self.config.baseline
            and due is not None
            and when > due
            and self.random.random() < self.config.p_owner_tells_delay
        ):
            tell_at = max(self.later(0, 0), due - timedelta(hours=2))
            self.at(tell_at, self.owner_tells_delay, case_id, when)
        self.at(when, self.propose, case_id)

    def owner_tells_delay(self, case_id: int, eta: datetime) -> None:
        from django.utils import timezone

        case, owner = self.owner_of(case_id)
        if case.status in (Status.OPEN, Status.WAITING_ON_CUSTOMER) and eta > timezone.now():
            promises.send_delay_notice(
                case=case, acting_user=owner, new_eta=eta + timedelta(hours=1),
                message="A part we need is late; here is my new estimate.",
            )  # fmt: skip

    def propose(self, case_id: int) -> None:
        case, owner = self.owner_of(case_id)
        if case.status != Status.OPEN:
            return
        if self.config.baseline:
            services.close_case(
                case=case, acting_user=owner, reason="Fixed, closing.", expected_version=None
            )
            return
        services.propose_resolution(
            case=case, acting_user=owner, body="It is fixed on our side.",
            expected_version=None, cancel_open_handoffs=True,
        )  # fmt: skip
        self.at(self.later(60, 24 * 60), self.customer_answers_proposal, case_id)

    def customer_answers_proposal(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.status != Status.PENDING_CONFIRMATION:
            return
        draw = self.random.random()
        if draw < self.config.p_never_confirms:
            return  # the sweep reminds once, then closes
        if draw < self.config.p_never_confirms + self.config.p_still_broken:
            case = services.reopen(
                case=case, acting_user=self.people[case.customer_id],
                reason="Still broken, sorry.", expected_version=None,
            )  # fmt: skip
            self.plan_resolution(case, minutes=self.random.uniform(60, 24 * 60))
            return
        services.confirm_resolution(
            case=case, acting_user=self.people[case.customer_id], expected_version=None
        )

    def deactivate_someone(self) -> None:
        leaving = self.agents["Support"][-1]
        services.deactivate_agent(agent=leaving, acting_user=self.manager)
        leaving.refresh_from_db()

    # --- every tick: the sweep, delivery, and the invariants ------------------------------

    def tick(self) -> None:
        from django.utils import timezone

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

    def sweep(self) -> None:
        from django.utils import timezone

        if run_sweep(now=timezone.now()).steps:
            self.moved = True

    def analyze(self) -> None:
        """Once a simulated day, let PostgreSQL's planner see how the tables grew (they
        grow inside one transaction, which autovacuum never sees)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(TABLES)}")

    def check_promises(self) -> None:
        """The tests' check at every tick (normal mode): no email to a customer outside the
        case's voice, no deadline missed without telling the customer first, no notice
        sent twice."""
        from django.core import mail
        from django.utils import timezone

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

    # --- the outcome -------------------------------------------------------------------------

    def report(self, end: datetime) -> None:
        from django.core import mail

        outcome = self.outcome
        cases = Case.objects.filter(customer__email__endswith="@sim.test")
        outcome.cases = cases.count()
        waits = [
            (owned - created).total_seconds() / 60
            for created, owned in cases.exclude(first_owned_at=None).values_list(
                "created", "first_owned_at"
            )
        ]
        outcome.time_to_owner_minutes = spread(waits)
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
        to_customers = Notice.objects.filter(
            channel=Notice.Channel.EMAIL, recipient__role=User.Role.CUSTOMER
        )
        per_case = dict.fromkeys(cases.values_list("pk", flat=True), 0)
        for case_id in to_customers.values_list("case_id", flat=True):
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
        outcome.reopen_rate = quality["reopen_rate"]
        outcome.closed_by_confirmation = quality["confirmed"]
        outcome.closed_by_timeout = quality["auto_closed"]
        outcome.closed_by_owner = quality["closed_by_owner"]
        outcome.bounced = cases.filter(bounced=True).count()
        ids = [message.extra_headers.get("Message-ID") for message in mail.outbox]
        outcome.duplicate_notices = len(ids) - len(set(ids))
        if not self.config.baseline and outcome.surprises:
            outcome.invariant_violations.append(
                f"{outcome.surprises} deadline breach(es) without a notice to the customer first"
            )


def _opening(moment: datetime) -> datetime:
    """The first business moment (weekdays 08:00 to 18:00 UTC) at or after `moment`."""
    if moment.hour >= 18:
        moment = (moment + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    elif moment.hour < 8:
        moment = moment.replace(hour=8, minute=0, second=0, microsecond=0)
    while moment.weekday() >= 5:
        moment = (moment + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    return moment


def simulate(config: Config, *, check_every_tick: bool = False) -> Outcome:
    """Run one mode inside a transaction that is rolled back: the database is unchanged."""
    from django.core import mail

    mail.outbox = []
    with transaction.atomic():
        outcome = Floor(config, check_every_tick=check_every_tick).run()
        transaction.set_rollback(True)
    mail.outbox = []
    clocks.forget_policies()  # the run's policies are gone with it
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rolled-back rows are dead weight for the next run: clear them now.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(TABLES)}")
    return outcome


def as_dict(outcome: Outcome) -> dict:
    return asdict(outcome)
