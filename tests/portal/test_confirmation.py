"""The end of a case is the customer's word: they confirm the fix, say it is still broken,
or write again; silence gets one reminder, then the case closes by itself."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import EntryKind, Satisfaction, Status, TimelineEntry
from notifications.sweep import run_sweep
from tests.helpers import (
    HTMX,
    deliver_due_email,
    desk_url,
    email_text,
    fresh,
    mail_to,
    page_text,
    portal_url,
)

pytestmark = pytest.mark.django_db


def test_pending_case_asks_the_customer_to_confirm(customer_client, pending_case):
    page = page_text(customer_client.get(portal_url(pending_case)))

    assert "We think it's fixed — please confirm" in page
    assert "We replaced the power supply." in page
    assert "Is this fixed?" in page
    assert "Yes, it's fixed" in page
    assert "No, still broken" in page


def test_customer_can_confirm_fix(customer_client, pending_case, agent):
    response = customer_client.post(portal_url(pending_case, "confirm/"), follow=True)

    assert response.status_code == 200
    page = page_text(response)
    assert "Thank you! Your case is closed." in page
    assert "Closed" in page
    assert "You confirmed the fix." in page
    assert "How did we do?" in page
    case = fresh(pending_case)
    assert case.status == Status.CLOSED
    assert case.owner == agent
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.CONFIRMATION).count() == 1


def test_confirming_again_is_a_clear_conflict(customer_client, pending_case):
    customer_client.post(portal_url(pending_case, "confirm/"))

    response = customer_client.post(portal_url(pending_case, "confirm/"), headers=HTMX)

    assert response.status_code == 409
    assert "There is no proposed resolution to confirm." in page_text(response)
    assert TimelineEntry.objects.filter(case=pending_case, kind=EntryKind.CONFIRMATION).count() == 1


def test_still_broken_reopens_with_same_owner(customer_client, pending_case, agent):
    words = "The laptop still shuts down after five minutes on battery."

    response = customer_client.post(
        portal_url(pending_case, "still-broken/"), {"body": words}, follow=True
    )

    page = page_text(response)
    assert "Thank you. Your case is open again with its owner." in page
    assert "We're working on it" in page
    assert "Your case is owned by Dana Lee, Support." in page
    assert words in page
    case = fresh(pending_case)
    assert case.status == Status.OPEN
    assert case.owner == agent
    reopen = TimelineEntry.objects.get(case=case, kind=EntryKind.REOPEN)
    assert reopen.body == words
    assert reopen.actor.email == "customer@example.test"


def test_still_broken_needs_the_customers_words(customer_client, pending_case):
    response = customer_client.post(
        portal_url(pending_case, "still-broken/"), {"body": "  "}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Tell us what is still wrong" in page_text(response)
    assert fresh(pending_case).status == Status.PENDING_CONFIRMATION


def test_customer_reply_reopens_closed_case(customer_client, pending_case, agent):
    customer_client.post(portal_url(pending_case, "confirm/"))
    assert fresh(pending_case).status == Status.CLOSED

    response = customer_client.post(
        portal_url(pending_case, "reply/"), {"body": "It broke again this morning."}, follow=True
    )

    page = page_text(response)
    assert "Sent. Your case's owner has it." in page
    assert "We're working on it" in page
    assert "It broke again this morning." in page
    assert "Reopened" in page
    assert "Your case is owned by Dana Lee, Support." in page
    case = fresh(pending_case)
    assert case.status == Status.OPEN
    assert case.owner == agent
    assert case.closed_at is None


def test_customer_reply_on_a_pending_case_reopens_it(customer_client, pending_case, agent):
    customer_client.post(portal_url(pending_case, "reply/"), {"body": "Not quite: it beeps."})

    case = fresh(pending_case)
    assert case.status == Status.OPEN
    assert case.owner == agent


def test_customer_reply_ends_the_wait_on_them(customer_client, owned_case, agent):
    services.wait_on_customer(
        case=owned_case,
        acting_user=agent,
        expected_version=None,
        message="Which charger do you use?",
    )
    assert "Waiting for your reply" in page_text(customer_client.get(portal_url(owned_case)))

    customer_client.post(portal_url(owned_case, "reply/"), {"body": "The 65 W one."})

    assert "We're working on it" in page_text(customer_client.get(portal_url(owned_case)))
    assert fresh(owned_case).status == Status.OPEN


# --- one reminder, then closed --------------------------------------------------------------

PROPOSED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _reminders(customer) -> list:
    return [m for m in mail_to(customer) if "This is the only reminder we send." in m.body]


def test_one_reminder_then_autoclose(settings, time_machine, client, customer, owned_case, agent):
    settings.CONFIRMATION_REMINDER_DAYS = 2
    settings.CONFIRMATION_CLOSE_DAYS = 3
    remind_at = PROPOSED + timedelta(days=2)
    close_at = remind_at + timedelta(days=3)

    time_machine.move_to(PROPOSED, tick=False)
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="We replaced the fan.", expected_version=None
    )
    deliver_due_email()  # the proposal itself reaches Alex
    assert len(mail_to(customer)) == 1

    def sweep_at(moment: datetime) -> None:
        time_machine.move_to(moment, tick=False)
        run_sweep(now=moment)
        deliver_due_email()

    # Before the reminder is due: nothing, however often the sweep runs.
    for hours in range(1, 48, 6):
        sweep_at(PROPOSED + timedelta(hours=hours))
    assert _reminders(customer) == []
    assert fresh(owned_case).status == Status.PENDING_CONFIRMATION

    sweep_at(remind_at)
    (reminder,) = _reminders(customer)
    assert reminder.subject.startswith(f"[{owned_case.reference}] Is it fixed? Please confirm")
    assert f"{settings.SITE_URL}/portal/cases/{owned_case.reference}/" in reminder.body

    # Between the reminder and the close: the sweep runs every few hours, no second reminder.
    for hours in range(1, 72, 5):
        sweep_at(remind_at + timedelta(hours=hours))
    assert len(_reminders(customer)) == 1
    assert fresh(owned_case).status == Status.PENDING_CONFIRMATION
    reminder_entries = TimelineEntry.objects.filter(
        case=owned_case, kind=EntryKind.CONFIRMATION_REMINDER
    )
    assert reminder_entries.count() == 1

    sweep_at(close_at)
    case = fresh(owned_case)
    assert case.status == Status.CLOSED
    assert case.owner == agent
    closing = TimelineEntry.objects.get(case=case, kind=EntryKind.STATUS_CHANGE, data__auto=True)
    assert closing.data["to"] == Status.CLOSED
    assert closing.actor is None

    # After closing, the sweep leaves it alone: still one reminder, one closing.
    for days in range(1, 10, 3):
        sweep_at(close_at + timedelta(days=days))
    assert len(_reminders(customer)) == 1
    assert TimelineEntry.objects.filter(case=case, data__auto=True).count() == 1
    closed_mail = [m for m in mail_to(customer) if "Your case is closed" in m.subject]
    assert len(closed_mail) == 1
    assert "reply and it reopens with the same owner" in email_text(closed_mail[0])

    client.force_login(customer)
    page = page_text(client.get(portal_url(case)))
    assert "Closed" in page
    assert "This is the only reminder we send." in page
    assert "We closed your case because we did not hear back after our reminder." in page


def test_confirming_after_the_reminder_stops_the_autoclose(
    settings, time_machine, customer_client, owned_case, agent
):
    time_machine.move_to(PROPOSED, tick=False)
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="We replaced the fan.", expected_version=None
    )
    remind_at = PROPOSED + timedelta(days=settings.CONFIRMATION_REMINDER_DAYS)
    time_machine.move_to(remind_at, tick=False)
    run_sweep(now=remind_at)

    customer_client.post(portal_url(owned_case, "confirm/"))
    close_at = remind_at + timedelta(days=settings.CONFIRMATION_CLOSE_DAYS)
    time_machine.move_to(close_at, tick=False)
    run_sweep(now=close_at)

    assert fresh(owned_case).status == Status.CLOSED
    assert not TimelineEntry.objects.filter(case=owned_case, data__auto=True).exists()


# --- satisfaction -----------------------------------------------------------------------------


def test_customer_rates_a_closed_case_once(customer_client, pending_case, agent, client):
    customer_client.post(portal_url(pending_case, "confirm/"))

    response = customer_client.post(
        portal_url(pending_case, "rate/"),
        {"rating": "4", "comment": "Quick and kind."},
        follow=True,
    )

    page = page_text(response)
    assert "Thank you for your rating." in page
    assert "You rated this case 4/5. Thank you." in page
    assert "How did we do?" not in page

    again = customer_client.post(portal_url(pending_case, "rate/"), {"rating": "1"}, headers=HTMX)
    assert again.status_code == 409
    assert "This case has been rated already." in page_text(again)
    assert Satisfaction.objects.get(case=pending_case).rating == 4

    # The owner sees it on the desk's case page.
    client.force_login(agent)
    desk = client.get(desk_url(pending_case))
    assert desk.status_code == 200
    assert "4/5" in page_text(desk)
    assert "“Quick and kind.”" in page_text(desk)


def test_an_open_case_cannot_be_rated(customer_client, owned_case):
    page = page_text(customer_client.get(portal_url(owned_case)))
    assert "How did we do?" not in page

    response = customer_client.post(portal_url(owned_case, "rate/"), {"rating": "5"}, headers=HTMX)

    assert response.status_code == 409
    assert "You can rate a case once it is closed." in page_text(response)
    assert not Satisfaction.objects.exists()


def test_a_rating_is_one_to_five(customer_client, pending_case):
    customer_client.post(portal_url(pending_case, "confirm/"))

    response = customer_client.post(
        portal_url(pending_case, "rate/"), {"rating": "9"}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Choose 1 to 5." in page_text(response)
    assert not Satisfaction.objects.exists()


def test_a_fix_proposed_after_waiting_on_the_customer_gets_the_full_time_to_answer(
    settings, time_machine, owned_case, agent, customer
):
    time_machine.move_to(PROPOSED, tick=False)
    services.wait_on_customer(
        case=owned_case, acting_user=agent, expected_version=None, message="Send a photo?"
    )
    proposed = PROPOSED + timedelta(days=10)  # the photo never came; Dana fixed it anyway
    time_machine.move_to(proposed, tick=False)
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="We replaced the fan.", expected_version=None
    )

    a_minute_later = proposed + timedelta(minutes=1)
    time_machine.move_to(a_minute_later, tick=False)
    run_sweep(now=a_minute_later)

    assert fresh(owned_case).status == Status.PENDING_CONFIRMATION
    assert not TimelineEntry.objects.filter(
        case=owned_case, kind=EntryKind.CONFIRMATION_REMINDER
    ).exists()
