"""The phone and the customers' patience.

Owners asked by the desk to call a customer before a deadline (a call task) call or do
not; a call reaches the customer or not. Customers remember the moment we gave them for
our next word ("you will hear from us by ..."), as the portal and every email name it;
when it passes by their patience with nothing new from us, a customer who chases asks
"Any news?" (the portal's button), and the owner answers.

The baseline's desk asks nobody to call (the run patches call tasks away); its customers
chase the same way.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from cases import clocks, services
from cases.models import CallDirection, CallOutcome, CallTask, Case, Status

from .config import Config
from .floor import Floor
from .schedule import CLOSES, OPENS, Schedule
from .world import World

NOTES = "We talked it through: where it stands and what happens next."


class Contact:
    def __init__(self, config: Config, world: World, schedule: Schedule, floor: Floor):
        self.config = config
        self.world = world
        self.schedule = schedule
        self.random = schedule.random
        self.floor = floor
        # Per running case: the moment the customer expects our next word, and our last
        # public word when they were given it (a new word gives a new moment).
        self.expected: dict[int, tuple[datetime, datetime | None]] = {}
        self.chasers = {
            c.pk for c in world.customers if self.random.random() < config.p_customer_chases
        }
        self.calls_seen: set[int] = set()

    def tick(self) -> None:
        """Every tick: owners see the calls the desk asks of them; customers look at the
        time."""
        self.owners_see_call_tasks()
        self.customers_look()

    # --- the owner's phone ----------------------------------------------------------------

    def owners_see_call_tasks(self) -> None:
        now = timezone.now()
        tasks = CallTask.objects.filter(status=CallTask.Status.OPEN).exclude(pk__in=self.calls_seen)
        for task in tasks.only("pk", "due"):
            self.calls_seen.add(task.pk)
            if self.random.random() >= self.config.p_owner_calls:
                continue  # too busy: the written notice goes when the task lapses
            latest = max((task.due - now).total_seconds() / 60 - 5, 0)
            self.schedule.at(self.schedule.later(0, latest), self.call, task.pk)

    def call(self, task_id: int) -> None:
        task = CallTask.objects.select_related("case").get(pk=task_id)
        case = task.case
        if task.status != CallTask.Status.OPEN or case.status == Status.CLOSED:
            return
        owner = self.world.people[case.owner_id]
        reached = self.random.random() < self.config.p_call_reached
        # Reached, an owner who knows when the fix comes says so (with an hour to spare).
        planned = self.floor.planned.get(case.pk)
        ahead = reached and planned is not None and planned > timezone.now()
        services.log_call(
            case=case,
            acting_user=owner,
            direction=CallDirection.OUTBOUND,
            outcome=CallOutcome.REACHED if reached else CallOutcome.NO_ANSWER,
            notes=NOTES if reached else "",
            new_eta=planned + timedelta(hours=1) if ahead else None,
        )

    # --- the customer's patience ----------------------------------------------------------

    def customers_look(self) -> None:
        now = timezone.now()
        if now.weekday() >= 5 or not OPENS <= now.hour < CLOSES:
            return  # customers look in their working day
        running = (
            Case.objects.filter(status__in=clocks.RUNNING)
            .select_related("organization")
            .order_by("pk")
        )
        for case in running:
            seen = self.expected.get(case.pk)
            if seen is None or seen[1] != case.last_public_update:
                moment = clocks.next_contact(case, now)
                if moment is not None:
                    self.expected[case.pk] = (moment, case.last_public_update)
                continue
            moment, _ = seen
            patience = timedelta(minutes=self.random.uniform(30, 180))
            if now < moment + patience:
                continue
            # Asked or not, they look again after a while.
            self.expected[case.pk] = (now + patience, case.last_public_update)
            if case.customer_id in self.chasers:
                customer = self.world.people[case.customer_id]
                services.ask_for_news(case=case, acting_user=customer)
                self.schedule.at(self.schedule.later(15, 120), self.answer_chase, case.pk)

    def answer_chase(self, case_id: int) -> None:
        case, owner = self.floor.owner_of(case_id)
        if case.status not in clocks.RUNNING or owner is None:
            return
        services.reply_to_customer(
            case=case, acting_user=owner,
            body="Sorry for the silence: we are still on it, and I will write as soon as it moves.",
        )  # fmt: skip
