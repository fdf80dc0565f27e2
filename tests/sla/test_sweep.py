"""The SLA sweep warns the owner early and tells the customer before the deadline, once per
due time, never on a paused or finished case; the desk shows the clocks. Time is moved
with time_machine, never slept through.

The normal policy runs on a 24x7 calendar: a case opened at T0 is due a first response at
T0+4h (owner warned at +2h, customer told at +3h) and a resolution at T0+12h (warned at
+10h, told at +11h).
"""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services, sla
from cases.models import Case, EntryKind, Priority, SLATarget, Status, TimelineEntry, Visibility
from cases.services import promises
from notifications.models import Notice
from notifications.sweep import run_sweep
from tests.factories import ManagerFactory
from tests.helpers import desk_url, entries, fresh, notices, portal_url
from tests.sla.seed import HOUR, T0

MINUTE = timedelta(minutes=1)
SLA_KINDS = (EntryKind.SLA_WARNING, EntryKind.DELAY_NOTICE, EntryKind.SLA_BREACHED)


# --- the owner is warned, the customer told ------------------------------------------------


def test_owner_warned_at_warn_lead(owned_case, agent, customer, sweep, client):
    sweep(T0 + 2 * HOUR - MINUTE)
    assert entries(owned_case, EntryKind.SLA_WARNING) == []
    assert not Notice.objects.filter(kind="sla_warning").exists()

    sweep(T0 + 2 * HOUR)

    [warning] = entries(owned_case, EntryKind.SLA_WARNING)
    assert warning.visibility == Visibility.INTERNAL
    assert warning.data["target"] == SLATarget.FIRST_RESPONSE
    assert warning.data["summary"].startswith(
        f"{owned_case.reference} will miss its first response target"
    )
    # A moment that stays true whenever it is read, never "(in 2h 00m)".
    assert warning.data["summary"].endswith("target at Mon 3 Mar, 13:00 UTC")
    in_app = notices(agent, kind="sla_warning", channel=Notice.Channel.IN_APP).get()
    email = notices(agent, kind="sla_warning").get()
    assert in_app.subject == email.subject == warning.data["summary"]
    assert email.status == Notice.Status.PENDING
    assert "If you do nothing, the customer is told automatically" in email.body
    assert not Notice.objects.filter(recipient=customer).exists()
    assert entries(owned_case, EntryKind.DELAY_NOTICE) == []

    client.force_login(agent)
    assert warning.data["summary"] in client.get("/desk/notices/").content.decode()


def test_customer_hears_of_delay_before_breach(owned_case, customer, sweep, client):
    due = owned_case.first_response_due
    assert due == T0 + 4 * HOUR

    sweep(T0 + 3 * HOUR)

    [notice] = entries(owned_case, EntryKind.DELAY_NOTICE)
    assert notice.visibility == Visibility.PUBLIC
    assert notice.created == T0 + 3 * HOUR < due
    assert notice.data["automatic"] is True
    assert "will take longer than we promised" in notice.body
    assert 'Your case "Laptop will not power on"' in notice.body
    assert "Your case is owned by Dana Lee, Support." in notice.body
    email = notices(customer, kind="delay_notice").get()
    assert email.subject == (
        f"[{owned_case.reference}] Your case will take longer than we promised"
    )
    assert email.body == notice.body
    assert email.status == Notice.Status.PENDING
    assert email.send_after <= T0 + 3 * HOUR  # goes at once, before the deadline
    assert entries(owned_case, EntryKind.SLA_BREACHED) == []

    client.force_login(customer)
    page = client.get(portal_url(owned_case)).content.decode()
    assert "will take longer than we promised" in page


def test_one_notice_tells_of_a_late_answer_and_a_fix_due_soon_after(
    owned_case, customer, sweep, settings
):
    settings.CUSTOMER_EMAIL_THROTTLE = 0
    assert owned_case.resolution_due == T0 + 12 * HOUR  # within 12 h of the first notice

    for hour in range(3, 13):
        sweep(T0 + hour * HOUR + MINUTE)

    [notice] = entries(owned_case, EntryKind.DELAY_NOTICE)
    assert notice.created == T0 + 3 * HOUR + MINUTE
    assert "The fix itself will likely take longer than" in notice.body
    assert notices(customer, kind="delay_notice").count() == 1
    breaches = {e.data["target"]: e for e in entries(owned_case, EntryKind.SLA_BREACHED)}
    assert breaches[SLATarget.RESOLUTION].data["customer_told_before"] is True
    assert breaches[SLATarget.FIRST_RESPONSE].data["customer_told_before"] is True


def test_a_fix_due_much_later_gets_its_own_notice(make_case, customer, sweep, settings):
    settings.DELAY_NOTICE_COVERS_AHEAD = 2 * HOUR
    case = make_case()

    sweep(T0 + 3 * HOUR)

    [notice] = entries(case, EntryKind.DELAY_NOTICE)
    assert "The fix itself" not in notice.body
    sweep(T0 + 11 * HOUR)
    assert len(entries(case, EntryKind.DELAY_NOTICE)) == 2


def test_digest_readers_hear_of_delay_before_breach(owned_case, agent, customer, sweep):
    customer.notify_preference = customer.NotifyPreference.DIGEST
    customer.save(update_fields=["notify_preference"])
    sweep(T0 + 10 * MINUTE)
    services.reply_to_customer(case=owned_case, acting_user=agent, body="We are on it.")
    routine = notices(customer, kind=EntryKind.AGENT_REPLY).get()
    assert routine.send_after > T0 + 12 * HOUR  # tomorrow's digest

    sweep(T0 + 11 * HOUR)  # an hour before the resolution is due

    delay = notices(customer, kind="delay_notice").get()
    assert delay.send_after <= T0 + 11 * HOUR


def test_no_notice_twice_for_same_due_time(owned_case, agent, customer, sweep):
    for minutes in range(0, 5 * 60 + 1, 10):
        sweep(T0 + minutes * MINUTE)
        # Whatever moves the next check back (a retried beat, a service), nothing repeats.
        Case.objects.filter(pk=owned_case.pk).update(next_sla_check=T0)
        sweep(T0 + minutes * MINUTE)

    assert len(entries(owned_case, EntryKind.SLA_WARNING)) == 1
    assert len(entries(owned_case, EntryKind.DELAY_NOTICE)) == 1
    assert len(entries(owned_case, EntryKind.SLA_BREACHED)) == 1
    assert notices(agent, kind="sla_warning").count() == 1
    assert notices(agent, kind="sla_warning", channel=Notice.Channel.IN_APP).count() == 1
    assert notices(customer, kind="delay_notice").count() == 1


def test_no_notice_for_paused_or_resolved_cases(make_case, agent, customer, sweep):
    waiting = make_case("Waiting for the serial number")
    services.wait_on_customer(case=waiting, acting_user=agent, expected_version=None)
    pending = make_case("Fixed, we think")
    services.propose_resolution(
        case=pending, acting_user=agent, body="We replaced the fan.", expected_version=None
    )
    closed = make_case("A duplicate")
    services.close_case(
        case=closed, acting_user=agent, reason="Duplicate of another case", expected_version=None
    )

    for hours in range(1, 14):
        sweep(T0 + hours * HOUR)

    for case in (waiting, pending, closed):
        assert not TimelineEntry.objects.filter(case=case, kind__in=SLA_KINDS).exists(), case
    assert not Notice.objects.filter(kind__in=["sla_warning", "delay_notice"]).exists()
    assert fresh(waiting).next_sla_check is None
    assert fresh(closed).next_sla_check is None


def test_owners_delay_notice_suppresses_automatic_one(owned_case, agent, customer, sweep):
    sweep(T0 + 10 * MINUTE)
    services.reply_to_customer(case=owned_case, acting_user=agent, body="We are on it.")
    sweep(T0 + 8 * HOUR)
    promises.send_delay_notice(
        case=fresh(owned_case),
        acting_user=agent,
        message="The replacement part arrives on Thursday.",
        new_eta=T0 + 3 * 24 * HOUR,
    )

    for hours in (10, 11, 12, 13):
        sweep(T0 + hours * HOUR)

    [delay] = entries(owned_case, EntryKind.DELAY_NOTICE)
    assert delay.actor == agent
    assert delay.data["automatic"] is False
    assert "The replacement part arrives on Thursday." in delay.body
    [email] = notices(customer, kind="delay_notice")
    assert email.subject == f"[{owned_case.reference}] A delay on your case, and a new estimate"
    assert fresh(owned_case).eta == T0 + 3 * 24 * HOUR
    [breach] = entries(owned_case, EntryKind.SLA_BREACHED)
    assert breach.data["target"] == SLATarget.RESOLUTION
    assert breach.data["customer_told_before"] is True


def test_breach_recorded_with_whether_customer_was_told(make_case, clock, sweep):
    told = make_case("Told in time")
    sweep(T0 + 3 * HOUR)
    sweep(T0 + 4 * HOUR)
    # Opened at T0+4h, due at T0+8h, and the sweep did not run until after its due time
    # (the worker was down): the customer heard nothing before the breach.
    untold = make_case("Nobody said a word")
    sweep(T0 + 8 * HOUR + MINUTE)

    [told_breach] = entries(told, EntryKind.SLA_BREACHED)
    assert told_breach.visibility == Visibility.INTERNAL
    assert told_breach.data["target"] == SLATarget.FIRST_RESPONSE
    assert told_breach.data["customer_told_before"] is True
    assert told_breach.data["summary"] == "first response target missed"
    [untold_breach] = entries(untold, EntryKind.SLA_BREACHED)
    assert untold_breach.data["customer_told_before"] is False
    assert untold_breach.data["summary"] == (
        "first response target missed without telling the customer first"
    )


def test_update_interval_reminds_owner_then_updates_customer(make_case, agent, customer, sweep):
    case = make_case(priority=Priority.HIGH)  # an update every 2h, 30 min grace
    sweep(T0 + 10 * MINUTE)
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    assert fresh(case).next_update_due == T0 + 2 * HOUR + 10 * MINUTE

    sweep(T0 + 2 * HOUR + 9 * MINUTE)
    assert not TimelineEntry.objects.filter(case=case, kind__in=SLA_KINDS).exists()

    sweep(T0 + 2 * HOUR + 10 * MINUTE)
    [reminder] = entries(case, EntryKind.SLA_WARNING)
    assert reminder.data["target"] == SLATarget.NEXT_UPDATE
    assert reminder.data["summary"] == f"{case.reference} is due an update to the customer now"
    assert notices(agent, kind="sla_warning", channel=Notice.Channel.IN_APP).count() == 1
    [breach] = entries(case, EntryKind.SLA_BREACHED)
    assert breach.data["target"] == SLATarget.NEXT_UPDATE
    assert entries(case, EntryKind.DELAY_NOTICE) == []

    sweep(T0 + 2 * HOUR + 40 * MINUTE)
    [update] = entries(case, EntryKind.DELAY_NOTICE)
    assert update.visibility == Visibility.PUBLIC
    assert update.body.startswith("A short update on your case, as promised.")
    email = notices(customer, kind="delay_notice").get()
    assert email.subject == f"[{case.reference}] An update on your case: {case.title}"
    # The customer heard from us: the next update is due from now, and the update says
    # so (not the time that just passed). With nothing new to say, it waits twice the
    # interval (the communication budget backs off).
    assert fresh(case).next_update_due == T0 + 6 * HOUR + 40 * MINUTE
    assert "You will hear from us next by Mon 3 Mar, 15:40 UTC." in update.body


def test_automatic_notice_never_names_a_time_already_past(owned_case, agent, sweep):
    sweep(T0 + 10 * MINUTE)
    services.reply_to_customer(case=owned_case, acting_user=agent, body="We are on it.")
    promises.set_eta(case=owned_case, acting_user=agent, eta=T0 + 6 * HOUR)

    sweep(T0 + 11 * HOUR)  # the promise of 15:00 has passed; resolution is due at 21:00

    [notice] = entries(owned_case, EntryKind.DELAY_NOTICE)
    assert "will take longer than we promised (Mon 3 Mar, 21:00 UTC)" in notice.body
    assert "15:00" not in notice.body
    # The update clock restarts with this notice: the next update is a day from now.
    assert "You will hear from us next by Tue 4 Mar, 20:00 UTC." in notice.body
    assert fresh(owned_case).next_update_due == T0 + 35 * HOUR


def test_pause_credits_time_back(make_case, agent, clock, sweep):
    """Low priority runs on London office hours (Mon-Fri 09:00-17:00, GMT in March)."""
    case = make_case(priority=Priority.LOW)
    assert case.resolution_due == T0 + 4 * 24 * HOUR + 8 * HOUR  # 40 business hours: Fri 17:00
    assert case.first_response_due == T0 + 8 * HOUR

    clock.move_to(T0 + 2 * HOUR, tick=False)  # Monday 11:00
    services.wait_on_customer(case=case, acting_user=agent, expected_version=None)
    sweep(T0 + 26 * HOUR)  # nothing happens to a paused case
    assert not TimelineEntry.objects.filter(case=case, kind__in=SLA_KINDS).exists()
    clock.move_to(T0 + 2 * 24 * HOUR + 6 * HOUR, tick=False)  # Wednesday 15:00
    services.resume(case=case, acting_user=agent, expected_version=None)

    case = fresh(case)
    paused = 6 * HOUR + 8 * HOUR + 6 * HOUR  # Monday 11-17, Tuesday, Wednesday 9-15
    assert case.paused_at is None
    assert case.paused_credit == paused
    assert case.resolution_due == T0 + 9 * 24 * HOUR + 4 * HOUR  # Wednesday 12 March 13:00
    assert case.first_response_due == T0 + 3 * 24 * HOUR + 4 * HOUR  # Thursday 13:00
    spec = sla.office_hours("Europe/London")
    assert case.resolution_due == sla.add_business_time(spec, T0 + 4 * 24 * HOUR + 8 * HOUR, paused)


def test_a_missed_deadline_stays_missed_after_a_pause(owned_case, agent, customer, sweep):
    """Resolution due at T0+12h is missed (the customer told at +11h); the owner proposes a
    fix a day later and the customer says it is still broken. The pause is not credited: the
    deadline does not move to a past moment nobody could have warned about, and it is not
    counted as missed a second time."""
    sweep(T0 + 11 * HOUR)
    sweep(T0 + 13 * HOUR)
    [breach] = entries(owned_case, EntryKind.SLA_BREACHED, data__target="resolution")
    assert breach.data["customer_told_before"] is True

    sweep(T0 + 20 * HOUR)
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="Fixed, I think.", expected_version=None
    )
    sweep(T0 + 40 * HOUR)
    services.reopen(
        case=owned_case, acting_user=customer, reason="Still broken.", expected_version=None
    )
    case = fresh(owned_case)
    assert case.status == Status.OPEN
    assert case.resolution_due == T0 + 12 * HOUR

    sweep(T0 + 41 * HOUR)
    breaches = entries(owned_case, EntryKind.SLA_BREACHED, data__target="resolution")
    assert [b.data["customer_told_before"] for b in breaches] == [True]


def test_sweep_query_count_independent_of_quiet_cases(make_case, customer, clock):
    first, second = make_case("First"), make_case("Second")  # identical clocks
    Case.objects.filter(pk=second.pk).update(next_sla_check=None)

    def add_quiet_cases(count: int) -> None:
        far = T0 + 365 * 24 * HOUR
        Case.objects.bulk_create(
            Case(
                title=f"Quiet {n}",
                customer=customer,
                organization=customer.organization,
                next_sla_check=far if n % 2 else None,
            )
            for n in range(count)
        )

    now = T0 + 2 * HOUR  # the owner-warning threshold of both cases
    clock.move_to(now, tick=False)
    add_quiet_cases(10)
    with CaptureQueriesContext(connection) as few:
        assert run_sweep(now=now).steps == 1

    add_quiet_cases(990)
    Case.objects.filter(pk=second.pk).update(next_sla_check=first.next_sla_check)
    with CaptureQueriesContext(connection) as many:
        assert run_sweep(now=now).steps == 1

    assert Case.objects.count() == 1002
    assert len(many) == len(few)
    assert len(entries(first, EntryKind.SLA_WARNING)) == 1
    assert len(entries(second, EntryKind.SLA_WARNING)) == 1


def test_unowned_new_case_warns_managers(make_case, manager, agent, sweep):
    other_manager = ManagerFactory(full_name="Riley Chen")
    ManagerFactory(full_name="Gone Away", is_active=False)
    case = make_case(owner=None)
    assert case.status == Status.NEW

    sweep(T0 + 2 * HOUR)

    warned = Notice.objects.filter(kind="sla_warning", channel=Notice.Channel.IN_APP)
    assert {n.recipient for n in warned} == {manager, other_manager}
    emailed = Notice.objects.filter(kind="sla_warning", channel=Notice.Channel.EMAIL)
    assert {n.recipient for n in emailed} == {manager, other_manager}
    assert len(entries(case, EntryKind.SLA_WARNING)) == 1


# --- the desk shows the clocks ---------------------------------------------------------------


def row_of(html: str, reference: str) -> str:
    return next(row for row in html.split("<tr") if f">{reference}</a>" in row)


def test_my_cases_ordered_by_time_to_breach(make_case, agent, clock, client):
    clock.move_to(T0 - 3 * HOUR, tick=False)
    nearest = make_case("First response due in an hour")  # normal: first response T0+1h
    clock.move_to(T0, tick=False)
    urgent = make_case("High, but answered", priority=Priority.HIGH)
    services.reply_to_customer(case=urgent, acting_user=agent, body="On it.")  # update T0+2h
    relaxed = make_case("Low, office hours", priority=Priority.LOW)  # first response T0+8h

    client.force_login(agent)
    html = client.get("/desk/").content.decode()

    positions = [html.index(f">{case.reference}</a>") for case in (nearest, urgent, relaxed)]
    assert positions == sorted(positions)
    first_row = row_of(html, nearest.reference)
    assert "in 1h 00m" in first_row
    assert "sla-at-risk" in first_row
    assert "in 2h 00m" in row_of(html, urgent.reference)
    assert "sla-on-track" in row_of(html, relaxed.reference)


def clocks_on_page(client, case) -> str:
    html = client.get(desk_url(case)).content.decode()
    found = re.search(r'data-testid="clocks">(.*?)</dd>', html, re.DOTALL)
    return re.sub(r"\s+", " ", found.group(1))


def test_case_header_shows_each_clock(owned_case, agent, clock, client):
    client.force_login(agent)
    clock.move_to(T0 + HOUR, tick=False)

    shown = clocks_on_page(client, owned_case)
    assert re.search(r'class="sla sla-at-risk"[^>]*>First response in 3h 00m<', shown)
    assert re.search(r'class="sla sla-on-track"[^>]*>Resolution in 11h 00m<', shown)
    assert "Next update" not in shown

    services.reply_to_customer(case=owned_case, acting_user=agent, body="On it.")
    promises.set_eta(case=owned_case, acting_user=agent, eta=T0 + 6 * HOUR)
    shown = clocks_on_page(client, owned_case)
    assert "First response" not in shown
    assert "Next update in 1d 0h" in shown
    assert "Resolution in 11h 00m" in shown
    assert "Promised Mon 3 Mar, 15:00" in shown

    services.wait_on_customer(case=owned_case, acting_user=agent, expected_version=None)
    shown = clocks_on_page(client, owned_case)
    assert "Clocks paused since Mon 3 Mar, 10:00 (waiting on customer)" in shown


# --- known bugs outside this suite's reach (reported; remove the mark once fixed) ---------


def test_resuming_after_waiting_on_the_customer_gives_a_full_update_interval(
    make_case, agent, customer, clock, sweep
):
    case = make_case(priority=Priority.HIGH)  # an update every 2h
    sweep(T0 + 10 * MINUTE)
    services.wait_on_customer(
        case=case, acting_user=agent, expected_version=None, message="Which adapter is it?"
    )
    clock.move_to(T0 + 5 * HOUR, tick=False)
    services.add_customer_message(case=fresh(case), acting_user=customer, body="The 65 W one.")

    sweep(T0 + 5 * HOUR + MINUTE)
    sweep(T0 + 5 * HOUR + 31 * MINUTE)

    assert entries(case, EntryKind.SLA_BREACHED) == []
    assert entries(case, EntryKind.DELAY_NOTICE) == []


def test_reopening_a_closed_case_does_not_breach_at_once(owned_case, agent, customer, clock, sweep):
    sweep(T0 + 10 * MINUTE)
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="We replaced the fan.", expected_version=None
    )
    clock.move_to(T0 + HOUR, tick=False)
    services.confirm_resolution(case=fresh(owned_case), acting_user=customer, expected_version=None)
    clock.move_to(T0 + 5 * 24 * HOUR, tick=False)
    services.add_customer_message(
        case=fresh(owned_case), acting_user=customer, body="Broken again."
    )

    sweep(T0 + 5 * 24 * HOUR + MINUTE)

    assert fresh(owned_case).status == Status.OPEN
    assert entries(owned_case, EntryKind.SLA_BREACHED) == []
    assert entries(owned_case, EntryKind.DELAY_NOTICE) == []


def test_cases_waiting_on_the_customer_come_after_running_ones(make_case, agent, clock, client):
    waiting = make_case("Waiting for the serial number")  # first response due T0+4h
    services.wait_on_customer(case=waiting, acting_user=agent, expected_version=None)
    running = make_case("Low, office hours", priority=Priority.LOW)  # first response T0+8h

    client.force_login(agent)
    html = client.get("/desk/").content.decode()

    assert html.index(f">{running.reference}</a>") < html.index(f">{waiting.reference}</a>")
    assert "Paused" in row_of(html, waiting.reference)
