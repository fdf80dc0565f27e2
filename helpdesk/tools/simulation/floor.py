"""What the people of the simulated floor do: customers report and answer, new cases get
an owner, owners reply, hand work to departments and propose fixes, departments accept,
decline or finish their part, a release turns into an incident.

A new case gets its owner from automatic routing at once, or as soon as someone of
Support is available with room (the sweep routes the cases that waited). In the
baseline, Support triages by hand, departments write to the customer themselves and
owners close without asking the customer to confirm.

Whether a fix really holds is the world's secret (`verdicts`): the customer finds out,
and says so when asked; closing without asking can close a case that is still broken.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from cases import services, similarity
from cases.models import PRIORITIES_BY_TIER, Case, Handoff, HandoffStatus, Status
from cases.services import handoffs, incidents, promises, routing
from helpdesk.accounts.models import User
from notifications import outbox

from .config import DEPARTMENTS, PROBLEMS, RELEASE_PROBLEM, START, Config
from .schedule import Schedule
from .world import World


class Floor:
    def __init__(self, config: Config, world: World, schedule: Schedule):
        self.config = config
        self.world = world
        self.schedule = schedule
        self.random = schedule.random
        self.load: dict[int, int] = {}  # cases each agent took from triage (baseline)
        self.waiting: set[int] = set()  # new cases routing could not give anyone yet
        # Per case, each time a fix was proposed or the case closed: (when, still broken).
        self.verdicts: dict[int, list[tuple[datetime, bool]]] = {}
        self.planned: dict[int, datetime] = {}  # when each owner expects the fix
        self.release_cases: list[Case] = []
        self.incident = None

    def at(self, when: datetime, action, *args) -> None:
        self.schedule.at(when, action, *args)

    def later(self, minutes_low: float, minutes_high: float) -> datetime:
        return self.schedule.later(minutes_low, minutes_high)

    def owner_of(self, case_id: int) -> tuple[Case, User | None]:
        """The case as it is now, and its owner (the same person object all run long)."""
        case = Case.objects.get(pk=case_id)
        return case, self.world.people.get(case.owner_id)

    # --- a case comes in and gets an owner --------------------------------------------

    def arrive(self) -> None:
        customer = self.random.choice(self.world.customers)
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
        if self.config.baseline:
            self.at(self.later(5, 90), self.triage, case.pk)
        elif case.owner_id:
            self.owned(case)
        else:
            self.waiting.add(case.pk)

    def triage(self, case_id: int) -> None:
        """Baseline: someone of Support at work takes the case from triage, whoever took
        the fewest so far, whatever they hold now."""
        case = Case.objects.get(pk=case_id)
        if case.owner_id:
            return
        at_work = [
            a
            for a in self.world.agents["Support"]
            if a.is_active and a.availability == User.Availability.AVAILABLE
        ]
        if not at_work:
            self.at(self.later(15, 15), self.triage, case_id)
            return
        owner = min(at_work, key=lambda a: (self.load.get(a.pk, 0), a.pk))
        case = services.take_ownership(case=case, acting_user=owner, expected_version=None)
        self.load[owner.pk] = self.load.get(owner.pk, 0) + 1
        self.owned(case)

    def route_waiting(self) -> int:
        """Normal mode, as the sweep does (and an agent's becoming available): the cases
        that waited get an owner if someone of Support is available with room now.
        Returns how many got one (see `owners_found`)."""
        if self.config.baseline or not self.waiting:
            return 0
        support = [self.world.departments["Support"]]  # the one that routes automatically
        routing.route_waiting(now=timezone.now(), departments=support)
        return self.owners_found()

    def owners_found(self) -> int:
        """The cases that waited and have an owner now (whoever routed them) start their
        owner's work. Returns how many."""
        if not self.waiting:
            return 0
        found = Case.objects.filter(pk__in=self.waiting).exclude(owner=None).order_by("pk")
        for case in found:
            self.waiting.discard(case.pk)
            self.owned(case)
        return len(found)

    def owned(self, case: Case) -> None:
        """What an owner does with a case they just got."""
        if case.title == RELEASE_PROBLEM:
            self.maybe_open_incident(case, self.world.people[case.owner_id])
        self.at(self.later(10, 90), self.first_reply, case.pk)

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
        owner = self.world.people[owner_id]
        if not owner.is_active:
            owner = self.world.manager
        update = incidents.post_update(
            incident=self.incident, acting_user=owner, public=True, status="resolved",
            body="The fix is deployed. Please confirm it works for you.",
        )  # fmt: skip
        incidents.fan_out(update.pk)
        waiting = Case.objects.filter(incident=self.incident, status=Status.PENDING_CONFIRMATION)
        for case in waiting:
            broken = self.judge(case.pk)
            if self.config.baseline:  # closed without asking the customer
                services.close_case(
                    case=case, acting_user=self.world.people[case.owner_id],
                    reason="Fixed by the release fix.",
                    expected_version=None,
                )  # fmt: skip
                self.maybe_write_back(case.pk, broken)
            else:
                self.at(self.later(30, 600), self.customer_answers_proposal, case.pk)

    # --- the owner works on it ------------------------------------------------------------

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
            self.work(case)

    def customer_answers_wait(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.status == Status.WAITING_ON_CUSTOMER:
            services.add_customer_message(
                case=case, acting_user=self.world.people[case.customer_id],
                body="The serial is SN-12345.",
            )  # fmt: skip
            case = Case.objects.get(pk=case_id)
        self.work(case)

    def work(self, case: Case) -> None:
        if case.status != Status.OPEN:
            return
        if self.random.random() < self.config.p_handoff:
            name = self.random.choice(DEPARTMENTS[1:])
            self.ask_department(case.pk, name, case=case)
        else:
            self.plan_resolution(case, minutes=self.random.uniform(60, 2 * 24 * 60))

    def plan_resolution(self, case: Case, *, minutes: float) -> None:
        """The owner expects to have it fixed in `minutes`; some say so when that is past
        the deadline."""
        if case.status != Status.OPEN:
            return
        case_id = case.pk
        when = self.later(minutes, minutes)
        self.planned[case_id] = when
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
        case, owner = self.owner_of(case_id)
        if case.eta is not None and case.eta >= eta:
            return  # they agreed the new estimate on the phone already
        if case.status in (Status.OPEN, Status.WAITING_ON_CUSTOMER) and eta > timezone.now():
            promises.send_delay_notice(
                case=case, acting_user=owner, new_eta=eta + timedelta(hours=1),
                message="A part we need is late; here is my new estimate.",
            )  # fmt: skip

    def propose(self, case_id: int) -> None:
        case, owner = self.owner_of(case_id)
        if case.status != Status.OPEN:
            return
        broken = self.judge(case_id)
        if self.config.baseline:
            services.close_case(
                case=case, acting_user=owner, reason="Fixed, closing.", expected_version=None
            )
            self.maybe_write_back(case_id, broken)
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
        if self.random.random() < self.config.p_never_confirms:
            return  # the sweep reminds once, then closes, broken or not
        customer = self.world.people[case.customer_id]
        if self.verdicts[case_id][-1][1]:
            case = services.reopen(
                case=case, acting_user=customer, reason="Still broken, sorry.",
                expected_version=None,
            )  # fmt: skip
            self.plan_resolution(case, minutes=self.random.uniform(60, 24 * 60))
            return
        services.confirm_resolution(case=case, acting_user=customer, expected_version=None)

    def judge(self, case_id: int) -> bool:
        """Whether the fix the owner believes in leaves the problem still broken (drawn
        once per fix, recorded for the count of false closures)."""
        broken = self.random.random() < self.config.p_still_broken
        self.verdicts.setdefault(case_id, []).append((timezone.now(), broken))
        return broken

    def maybe_write_back(self, case_id: int, broken: bool) -> None:
        """Baseline: a customer whose case was closed while still broken writes again
        (unless they are one who never answers), which reopens it."""
        if broken and self.random.random() >= self.config.p_never_confirms:
            self.at(self.later(2 * 60, 2 * 24 * 60), self.customer_writes_back, case_id)

    def customer_writes_back(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.status != Status.CLOSED:
            return
        services.add_customer_message(
            case=case, acting_user=self.world.people[case.customer_id],
            body="You closed my case, but it is still broken.",
        )  # fmt: skip
        case = Case.objects.get(pk=case_id)
        self.plan_resolution(case, minutes=self.random.uniform(60, 24 * 60))

    # --- departments ------------------------------------------------------------------------

    def ask_department(self, case_id: int, name: str, *, case: Case | None = None) -> None:
        if case is None:
            case = Case.objects.get(pk=case_id)
        owner = self.world.people.get(case.owner_id)
        if case.status == Status.CLOSED or owner is None:
            return
        handoff = handoffs.request_handoff(
            case=case, acting_user=owner, department=self.world.departments[name],
            needed=f"Please do your part ({name}).",
            customer_summary=f"our {name} team is working on it",
        )  # fmt: skip
        self.at(self.later(15, 240), self.department_acts, handoff.pk)

    def department_acts(self, handoff_id: int) -> None:
        handoff = Handoff.objects.select_related("case", "department").get(pk=handoff_id)
        if handoff.status != HandoffStatus.REQUESTED:
            return
        members = self.world.agents[handoff.department.name]
        at_work = [m for m in members if m.availability == User.Availability.AVAILABLE]
        member = self.random.choice(at_work or [m for m in members if m.is_active])
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
        member = self.world.people[member_id]
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
            recipient=self.world.people[case.customer_id],
            case=case,
            kind="department_update",
            subject=f"[{case.reference}] From {name}: is it resolved, can we close it?",
            body=f"{name} did its part. Is it resolved? Can we close the case?",
            key=f"sim:{case.pk}:{name}:{self.schedule.number()}",
        )
