"""A customer chooses every update by email or one daily digest; either way a delay notice
reaches them at once."""

import re
from datetime import datetime, timedelta

import pytest

from cases import services
from cases.models import Case
from notifications.sweep import run_sweep
from tests.helpers import deliver_due_email, mail_to, notices, page_text, report_case, take
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db

# T0 is Monday 09:00 UTC; with the digest at 08:00 the next one goes on Tuesday.
DIGEST = datetime(2025, 3, 4, 8, 0, tzinfo=T0.tzinfo)


@pytest.fixture
def digest_hour(settings):
    settings.DIGEST_HOUR = 8
    return settings.DIGEST_HOUR


@pytest.fixture
def case(customer, agent, digest_hour, policies, clock) -> Case:
    """Alex's normal-priority case on the 24x7 policy, reported and taken at T0: the first
    response is due at T0+4h (Alex told at T0+3h), resolution at T0+12h (told at T0+11h)."""
    return take(report_case(customer, "Laptop will not power on", description="It is dead."), agent)


def choose_digest(client, customer):
    client.force_login(customer)
    return client.post("/portal/settings/", {"notify_preference": "digest"}, follow=True)


def test_customer_chooses_the_daily_digest(client, customer):
    client.force_login(customer)
    page = page_text(client.get("/portal/settings/"))
    assert "Email me on every update" in page
    assert "One email a day with all updates" in page
    assert "a delay notice always reaches you at once" in page

    response = choose_digest(client, customer)

    assert response.redirect_chain[-1][0] == "/portal/settings/"
    assert "Saved." in page_text(response)
    customer.refresh_from_db()
    assert customer.notify_preference == "digest"
    form = client.get("/portal/settings/").content.decode()
    assert re.search(r'value="digest"[^>]*\bchecked', form)
    assert not re.search(r'value="each"[^>]*\bchecked', form)


def test_an_unknown_preference_is_refused(client, customer):
    client.force_login(customer)

    response = client.post("/portal/settings/", {"notify_preference": "hourly"})

    assert response.status_code == 422
    assert "Select a valid choice." in page_text(response)
    customer.refresh_from_db()
    assert customer.notify_preference == "each"


def test_digest_delays_a_routine_reply_to_the_digest_hour(
    client, time_machine, case, customer, agent
):
    choose_digest(client, customer)
    time_machine.move_to(T0 + HOUR, tick=False)

    services.reply_to_customer(case=case, acting_user=agent, body="We ordered the part.")

    notice = notices(customer, kind="agent_reply").get()
    assert notice.send_after == DIGEST
    deliver_due_email()
    assert mail_to(customer) == []

    time_machine.move_to(DIGEST, tick=False)
    deliver_due_email()
    (message,) = mail_to(customer)
    assert "We ordered the part." in message.body


def test_every_update_customer_gets_a_reply_at_once(time_machine, case, customer, agent):
    time_machine.move_to(T0 + HOUR, tick=False)

    services.reply_to_customer(case=case, acting_user=agent, body="We ordered the part.")

    assert notices(customer, kind="agent_reply").get().send_after == T0 + HOUR
    deliver_due_email()
    assert len(mail_to(customer)) == 1


def test_digest_still_gets_an_automatic_delay_notice_at_once(client, time_machine, case, customer):
    choose_digest(client, customer)
    told_at = T0 + 3 * HOUR  # an hour before the first-response deadline

    time_machine.move_to(told_at, tick=False)
    run_sweep(now=told_at)

    notice = notices(customer, kind="delay_notice").get()
    assert notice.send_after == told_at
    deliver_due_email()
    (message,) = mail_to(customer)
    assert "will take longer than we promised" in message.subject


def test_digest_delays_a_routine_reply_while_a_delay_notice_is_still_sent_at_once(
    client, time_machine, case, customer, agent
):
    choose_digest(client, customer)
    time_machine.move_to(T0 + HOUR, tick=False)
    services.reply_to_customer(case=case, acting_user=agent, body="We ordered the part.")
    told_at = T0 + 11 * HOUR  # an hour before the resolution deadline

    time_machine.move_to(told_at, tick=False)
    run_sweep(now=told_at)

    assert notices(customer, kind="agent_reply").get().send_after == DIGEST
    delay = notices(customer, kind="delay_notice").get()
    assert delay.send_after == told_at
    deliver_due_email()
    (message,) = mail_to(customer)
    assert "will take longer than we promised" in message.body
    assert "We ordered the part." not in message.body

    time_machine.move_to(DIGEST + timedelta(minutes=1), tick=False)
    deliver_due_email()
    assert len(mail_to(customer)) == 2
    assert "We ordered the part." in mail_to(customer)[1].body


def test_a_customer_asks_to_be_called_and_gives_a_number(client, customer):
    client.force_login(customer)

    response = client.post(
        "/portal/settings/",
        {"notify_preference": "each", "preferred_contact": "phone", "phone": "+33 1 23 45 67 89",
         "call_notes_by_email": "on"},
        follow=True,
    )  # fmt: skip

    assert "Saved." in page_text(response)
    customer.refresh_from_db()
    assert customer.preferred_contact == "phone" and customer.phone == "+33 1 23 45 67 89"
    assert customer.call_notes_by_email is True


def test_preferring_a_call_needs_a_number(client, customer):
    client.force_login(customer)

    response = client.post(
        "/portal/settings/",
        {"notify_preference": "digest", "preferred_contact": "phone", "phone": ""},
    )

    assert response.status_code == 422
    assert "Give a phone number to be called on." in page_text(response)
    customer.refresh_from_db()
    assert customer.preferred_contact == "email"
    assert customer.notify_preference == "each"  # nothing saved: both or neither


def test_a_phone_number_must_look_like_one(client, customer):
    client.force_login(customer)

    response = client.post(
        "/portal/settings/",
        {"notify_preference": "each", "preferred_contact": "phone", "phone": "call me maybe"},
    )

    assert response.status_code == 422
    assert "Write a phone number with digits" in page_text(response)
    assert 'value="call me maybe"' in response.text
