"""The communication budget: automatic status updates back off while there is nothing new
(2 h, 4 h, 8 h, then a working day), reach the customer only in their working hours, and
stop after a set number a week; a person's word resets the clock. The clock is moved
through a whole week of a case with no news, and the customer's emails are counted."""

from datetime import timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import CallTask, EntryKind, Priority, SLATarget
from notifications.models import Notice
from tests.helpers import deliver_due_email, desk_url, entries, fresh, mail_to, notices
from tests.sla.seed import HOUR, T0

MINUTE = timedelta(minutes=1)
WEEK = 7 * 24 * HOUR


@pytest.fixture
def quiet_case(make_case, agent, organization, sweep):
    """High priority (an update every 2 h on a 24x7 calendar), Dana replied at T0+10m;
    Alex's organisation is in Berlin."""
    organization.time_zone = "Europe/Berlin"
    organization.save(update_fields=["time_zone"])
    case = make_case(priority=Priority.HIGH)
    sweep(T0 + 10 * MINUTE)
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    return case


def automatic_updates(case):
    return [
        e for e in entries(case, EntryKind.DELAY_NOTICE)
        if e.data.get("automatic") and e.data["target"] == SLATarget.NEXT_UPDATE
    ]  # fmt: skip


def a_week_of_sweeps(sweep, start, step=30 * MINUTE):
    moment = start
    while moment <= start + WEEK:
        sweep(moment)
        deliver_due_email()  # the worker sends what is due, as it would
        moment += step


def test_a_week_without_news_sends_a_few_updates_in_office_hours_then_asks_for_a_call(
    quiet_case, agent, customer, sweep, settings, client
):
    settings.CUSTOMER_EMAIL_THROTTLE = 0
    a_week_of_sweeps(sweep, T0 + 30 * MINUTE)

    updates = automatic_updates(quiet_case)
    assert len(updates) == settings.AUTOMATIC_UPDATES_PER_WEEK == 2
    [gap] = [later.created - earlier.created for earlier, later in pairwise(updates)]
    assert gap >= 4 * HOUR  # backing off
    for update in updates:  # Berlin working hours: 08:00 to 18:00 local, Monday to Friday
        local = update.created.astimezone(ZoneInfo("Europe/Berlin"))
        assert local.weekday() < 5 and 8 <= local.hour < 18
    # Dana's reply, two updates, and the one notice that the resolution will be late.
    assert len(mail_to(customer)) == 4
    held = notices(agent, kind="sla_warning", channel=Notice.Channel.IN_APP).filter(
        subject__endswith="2 automatic updates this week. Call them?"
    )
    assert held.count() >= 1  # each update held asks again, the first right away
    assert held.first().created - updates[-1].created < WEEK
    # Each held update asks for a call instead: a task on the owner's list, one a day at most.
    calls = list(CallTask.objects.filter(case=quiet_case, target=SLATarget.NEXT_UPDATE))
    assert 1 <= len(calls) <= 7
    assert all(later.created - earlier.created >= 24 * HOUR for earlier, later in pairwise(calls))
    assert all(task.owner == agent and task.due == task.created + HOUR for task in calls)
    client.force_login(agent)
    page = client.get(desk_url(quiet_case)).text
    assert "since this week's automatic updates are spent and they are due news" in page
    asked = notices(agent, kind="call_due", channel=Notice.Channel.IN_APP)
    assert asked.filter(subject__endswith="no more automatic updates this week").count() == len(
        calls
    )


def test_a_persons_word_resets_the_backoff(quiet_case, agent, sweep):
    sweep(T0 + 2 * HOUR + 40 * MINUTE)  # the first automatic update (09:40 UTC is 10:40 Berlin)
    assert len(automatic_updates(quiet_case)) == 1
    assert fresh(quiet_case).quiet_updates == 1
    assert fresh(quiet_case).next_update_due == T0 + 6 * HOUR + 40 * MINUTE

    services.reply_to_customer(case=quiet_case, acting_user=agent, body="The part is here.")

    case = fresh(quiet_case)
    assert case.quiet_updates == 0
    assert case.next_update_due == T0 + 4 * HOUR + 40 * MINUTE
