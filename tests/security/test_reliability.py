"""Reliability under pressure, against the real PostgreSQL (committed data, threads with
connections of their own) and a real SMTP server:

- twenty people editing one case at once: each change commits or is refused as stale
  (409), the timeline tells each committed change once, and the version counts them;
- an agent deactivated while a case is being handed to them never ends up owning it;
- two beat-like sweeps and re-drives at once: every due notice is sent once, none twice;
- the database connection dropped in the middle of a sweep or under an idle worker: the
  notice still goes out later, exactly once.
"""

import random
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q

from cases import services
from cases.models import Case, EntryKind, Priority, SLAEvent, Status, TimelineEntry
from cases.services import sla_steps
from helpdesk.accounts.models import User
from helpdesk.celery import app
from notifications import delivery, sweep
from notifications.models import Notice
from tests.factories import AgentFactory, CustomerFactory
from tests.helpers import HTMX, backdate, deliver_due_email, desk_url, fresh, open_case, signed_in
from tests.sla.seed import create_policies

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HOUR = timedelta(hours=1)
PRIORITIES = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def open_cases_without_an_active_owner():
    return Case.objects.exclude(status__in=[Status.NEW, Status.CLOSED]).filter(
        Q(owner__isnull=True) | Q(owner__is_active=False) | ~Q(owner__role__in=["agent", "manager"])
    )


def run_threads(count: int, target) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"


# --- twenty editors at once ----------------------------------------------------------------------


def test_twenty_concurrent_edits_each_commit_or_conflict_and_the_story_adds_up(
    agent, manager, customer, support
):
    colleagues = [AgentFactory(full_name=f"Agent {n}", departments=[support]) for n in range(3)]
    case = services.open_case(
        acting_user=agent, customer=customer, title="Shared printer", description="Jams."
    )
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    assert case.version == 2  # opened at 1, one change (taken)
    entries_before = TimelineEntry.objects.filter(case=case).count()
    barrier = threading.Barrier(20, timeout=30)
    outcomes: dict[int, tuple[str, int, str]] = {}

    def edit(i: int) -> None:
        action = ("priority", "transfer", "status")[i % 3]
        try:
            client = signed_in(manager)
            barrier.wait()
            time.sleep(random.random() * 0.05)
            seen = fresh(case)  # what this person's page showed
            data: dict = {"version": seen.version}
            if action == "priority":
                path = "priority"
                data["priority"] = PRIORITIES[(PRIORITIES.index(seen.priority) + 1) % 4]
            elif action == "transfer":
                path = "transfer"
                choices = [a for a in (agent, *colleagues) if a.pk != seen.owner_id]
                data.update(to=choices[i % len(choices)].pk, reason=f"Editor {i} hands it on")
            else:
                path = "wait" if seen.status == Status.OPEN else "resume"
            response = client.post(desk_url(case, f"{path}/"), data, headers=HTMX)
            outcomes[i] = (path, response.status_code, response.text[:300])
        except Exception as exc:  # surfaced below, never swallowed
            outcomes[i] = (action, -1, repr(exc))
        finally:
            connection.close()

    run_threads(20, edit)

    assert len(outcomes) == 20
    unexpected = {i: o for i, o in outcomes.items() if o[1] not in (200, 409)}
    assert not unexpected, unexpected
    committed = [o[0] for o in outcomes.values() if o[1] == 200]
    refused = [o for o in outcomes.values() if o[1] == 409]
    assert committed, outcomes
    assert all("Someone else changed this case" in o[2] for o in refused)

    case = fresh(case)
    assert case.version == 1 + 1 + len(committed)
    new = TimelineEntry.objects.filter(case=case).order_by("pk")[entries_before:]
    kinds = [entry.kind for entry in new]
    transfers = committed.count("transfer")
    assert kinds.count(EntryKind.PRIORITY_CHANGE) == committed.count("priority")
    assert kinds.count(EntryKind.OWNERSHIP_CHANGE) == transfers
    assert kinds.count(EntryKind.INTERNAL_NOTE) == transfers  # each transfer's reason
    statuses = committed.count("wait") + committed.count("resume")
    assert kinds.count(EntryKind.STATUS_CHANGE) == statuses
    assert len(kinds) == len(committed) + transfers

    # The case is what its last entries say it is.
    last = {entry.kind: entry for entry in new}
    if EntryKind.OWNERSHIP_CHANGE in last:
        assert case.owner_id == last[EntryKind.OWNERSHIP_CHANGE].data["to"]
    if EntryKind.PRIORITY_CHANGE in last:
        assert case.priority == last[EntryKind.PRIORITY_CHANGE].data["to"]
    if EntryKind.STATUS_CHANGE in last:
        assert case.status == last[EntryKind.STATUS_CHANGE].data["to"]
    assert not open_cases_without_an_active_owner().exists()


@pytest.mark.parametrize("first", ["transfer", "deactivation"])
def test_an_agent_deactivated_while_a_case_is_handed_to_them_never_owns_it(
    first, agent, manager, customer, support
):
    """Two transactions that each look fine alone: a transfer to Sam (active when checked)
    and Sam's deactivation (owning nothing when checked). Whichever starts first and holds
    its transaction open while the other runs, no open case is left with an inactive owner."""
    support.lead = manager
    support.save(update_fields=["lead"])
    sam = AgentFactory(full_name="Sam Ortiz", departments=[support])
    case = services.open_case(acting_user=agent, customer=customer, title="Leak", description=".")
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    begun, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def do_transfer():
        services.transfer_ownership(
            case=case, acting_user=agent, to=sam, reason="Sam knows", expected_version=None
        )

    def do_deactivation():
        services.deactivate_agent(agent=User.objects.get(pk=sam.pk), acting_user=manager)

    steps = {"transfer": do_transfer, "deactivation": do_deactivation}
    second = "deactivation" if first == "transfer" else "transfer"

    def run_first() -> None:
        try:
            with transaction.atomic():
                steps[first]()
                begun.set()
                # Not committed yet: the other one starts now and must wait or fail.
                second_started.wait(timeout=10)
                time.sleep(0.5)
            outcomes[first] = "committed"
        except Exception as exc:
            outcomes[first] = exc
        finally:
            begun.set()
            connection.close()

    def run_second() -> None:
        try:
            begun.wait(timeout=10)
            second_started.set()
            steps[second]()
            outcomes[second] = "committed"
        except Exception as exc:
            outcomes[second] = exc
        finally:
            connection.close()

    run_threads(2, lambda i: (run_first, run_second)[i]())

    sam.refresh_from_db()
    case.refresh_from_db()
    assert not open_cases_without_an_active_owner().exists(), (outcomes, case.owner)
    assert outcomes["deactivation"] == "committed", outcomes
    assert not sam.is_active
    if first == "transfer":
        # The deactivation waited for the transfer, then handed Sam's new case to his lead.
        assert outcomes["transfer"] == "committed", outcomes
        assert case.owner == manager and case.ownership_lapsed
    else:
        # The transfer waited for the deactivation, then was refused by the database.
        assert isinstance(outcomes["transfer"], IntegrityError), outcomes
        assert case.owner == agent


# --- two sweeps at once ---------------------------------------------------------------------------


def due_cases(agent, customers) -> list[Case]:
    """Cases opened 3h01m ago on the normal policy: first response due in 59 minutes, so
    the owner's warning and the customer's delay notice are both due now."""
    cases = []
    for n, customer in enumerate(customers):
        case = open_case(agent, customer, f"Outage {n}", description="Down.", owner=agent)
        cases.append(backdate(case, 3 * HOUR + timedelta(minutes=1)))
    return cases


@pytest.fixture
def sink(smtp_sink):
    yield smtp_sink
    app.control.purge()  # deliveries enqueued on commit are for no worker of this test


def beat_tick(i: int = 0) -> None:
    """What beat's two periodic tasks do: sweep, then re-drive and deliver what is due."""
    sweep.run_sweep()
    deliver_due_email()


def test_two_sweeps_and_redrives_at_once_send_every_notice_once(agent, organization, sink):
    create_policies()
    customers = [CustomerFactory(organization=organization) for _ in range(6)]
    cases = due_cases(agent, customers)
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def beat(i: int) -> None:
        try:
            barrier.wait()
            for _ in range(3):  # and again, as beat does every minute
                beat_tick(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    run_threads(2, beat)

    assert errors == []
    for customer, case in zip(customers, cases, strict=True):
        received = sink.to(customer.email)
        assert len(received) == 1, [m["Subject"] for m in received]
        assert "take longer" in received[0]["Subject"]
        assert case.reference in received[0]["Subject"]
        notice = Notice.objects.get(recipient=customer, kind="delay_notice")
        assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
        assert TimelineEntry.objects.filter(case=case, kind=EntryKind.DELAY_NOTICE).count() == 1
    # The owner's warnings, merged per case into one message each, also went once.
    assert len(sink.to(agent.email)) == len(cases)
    assert not Notice.objects.exclude(status=Notice.Status.SENT).exists()


# --- the database connection drops --------------------------------------------------------------


def terminate(pid: int) -> None:
    """What a database restart or a failover does to a connection: the server ends it."""
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_in_the_middle_of_a_sweep_loses_and_repeats_nothing(
    agent, organization, sink, monkeypatch
):
    create_policies()
    customers = [CustomerFactory(organization=organization) for _ in range(3)]
    cases = due_cases(agent, customers)
    real_apply_step = sla_steps.apply_step
    calls = {"n": 0}

    def apply_step_then_lose_the_server(*args, **kwargs):
        # After the first case's step is written (not yet committed), the server drops
        # the worker's connection: the rest of the sweep's statements fail.
        result = real_apply_step(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            terminate(connection.connection.info.backend_pid)
        return result

    outcome: dict[str, object] = {}

    def worker(_i: int) -> None:
        try:
            monkeypatch.setattr(sla_steps, "apply_step", apply_step_then_lose_the_server)
            try:
                sweep.run_sweep()
                outcome["first"] = "completed"
            except Exception as exc:  # the task fails; Celery logs it and moves on
                outcome["first"] = exc
            finally:
                monkeypatch.setattr(sla_steps, "apply_step", real_apply_step)
            # What Celery's Django fixup does after every task: drop a broken connection.
            close_old_connections()
            # Nothing of the failed sweep was kept: no step, no notice, nothing sent.
            outcome["after_crash"] = (SLAEvent.objects.count(), Notice.objects.count())
            for _tick in range(2):  # beat's next minutes
                beat_tick()
        except BaseException as exc:
            outcome["worker"] = exc
        finally:
            connection.close()

    run_threads(1, worker)

    assert "worker" not in outcome, outcome
    assert isinstance(outcome["first"], Exception), outcome
    assert outcome["after_crash"] == (0, 0)
    for customer, case in zip(customers, cases, strict=True):
        assert len(sink.to(customer.email)) == 1
        notice = Notice.objects.get(recipient=customer, kind="delay_notice")
        assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
        assert TimelineEntry.objects.filter(case=case, kind=EntryKind.DELAY_NOTICE).count() == 1


def test_a_notice_is_sent_once_after_the_workers_idle_connection_was_dropped(agent, customer, sink):
    case = services.open_case(acting_user=agent, customer=customer, title="VPN", description=".")
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.reply_to_customer(case=case, acting_user=agent, body="The VPN gateway is back.")
    notice = Notice.objects.get(recipient=customer, channel=Notice.Channel.EMAIL)
    outcome: dict[str, object] = {}

    def worker(_i: int) -> None:
        try:
            # A long-lived worker holds a connection (persistent connections)…
            connection.ensure_connection()
            # …which the server ends while the worker waits for work (a restart, a failover).
            terminate(connection.connection.info.backend_pid)
            try:
                delivery.deliver(notice.pk)  # the task arrives: its first query fails
                outcome["first"] = "delivered"
            except Exception as exc:
                outcome["first"] = exc
            # What Celery's Django fixup does after every task: drop a broken connection.
            close_old_connections()
            outcome["after_crash"] = Notice.objects.values_list("status", "attempts").get(
                pk=notice.pk
            )
            for _tick in range(2):  # beat's next minutes: the re-drive sends it
                beat_tick()
        except BaseException as exc:
            outcome["worker"] = exc
        finally:
            connection.close()

    run_threads(1, worker)

    assert "worker" not in outcome, outcome
    assert isinstance(outcome["first"], Exception), outcome
    assert outcome["after_crash"] == (Notice.Status.PENDING, 0)  # claimed nothing, lost nothing
    [message] = sink.to(customer.email)
    assert message["Message-ID"] == delivery.message_id(notice)
    assert "The VPN gateway is back." in message.get_body(("plain",)).get_content()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
