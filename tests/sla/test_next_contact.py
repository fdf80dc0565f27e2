"""One rule for "when you will hear from us next", the same in the portal and in email."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import clocks
from cases.models import Case, Priority, Status
from tests.sla.seed import create_policies

NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def case(status=Status.OPEN, **clocks_at) -> Case:
    return Case(status=status, **clocks_at)


def test_the_update_we_owe_when_no_fix_is_promised():
    assert clocks.next_contact(case(next_update_due=NOW + 3 * HOUR), NOW) == NOW + 3 * HOUR
    # Before any first response, the first response is what we owe.
    assert clocks.next_contact(case(Status.NEW, first_response_due=NOW + HOUR), NOW) == NOW + HOUR


def test_a_promised_fix_sooner_than_the_update_comes_first():
    open_case = case(eta=NOW + HOUR, next_update_due=NOW + 3 * HOUR)
    assert clocks.next_contact(open_case, NOW) == NOW + HOUR


def test_a_passed_promise_gives_way_to_the_update_still_ahead():
    open_case = case(eta=NOW - HOUR, next_update_due=NOW + 3 * HOUR)
    assert clocks.next_contact(open_case, NOW) == NOW + 3 * HOUR


@pytest.mark.django_db
def test_never_a_time_already_past_when_everything_owed_has_passed():
    # The sweep ran late: the update we owed was due an hour ago. We promise one update
    # interval from now (High: 2 hours, on a 24x7 calendar), never "by" a past time.
    create_policies()
    late = case(priority=Priority.HIGH, eta=NOW - 2 * HOUR, next_update_due=NOW - HOUR)
    assert clocks.next_contact(late, NOW) == NOW + 2 * HOUR
    # Low runs on London office hours: 16 business hours from Tuesday 10:00 is Thursday 10:00.
    office = case(Status.NEW, priority=Priority.LOW, first_response_due=NOW - HOUR)
    assert clocks.next_contact(office, NOW) == NOW + timedelta(days=2)


def test_no_promise_without_a_policy_once_everything_owed_has_passed(db):
    assert clocks.next_contact(case(next_update_due=NOW - HOUR), NOW) is None


@pytest.mark.parametrize(
    "status", [Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION, Status.CLOSED]
)
def test_nothing_while_we_wait_on_the_customer_or_once_closed(status):
    assert (
        clocks.next_contact(case(status, eta=NOW + HOUR, next_update_due=NOW + HOUR), NOW) is None
    )
