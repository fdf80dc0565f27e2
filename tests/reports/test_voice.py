"""One voice: what reached the customer by email. Updates per case, the messages they
were merged into by the throttle (at most one email per case every 15 minutes), and any
email of a kind that is not the case's own voice (should be none)."""

import pytest
from django.core import mail

from cases import services
from notifications import delivery, outbox
from notifications.models import Notice
from notifications.sweep import run_sweep
from tests.helpers import at, csv_rows, open_case, report_table, report_text, take
from tests.sla.seed import HOUR, T0

pytestmark = pytest.mark.django_db

MINUTE = HOUR / 60


def reply(case, owner, body: str) -> Notice:
    entry = services.reply_to_customer(case=case, acting_user=owner, body=body)
    return Notice.objects.get(case=case, idempotency_key__contains=f":entry:{entry.pk}:")


@pytest.fixture
def emails(policies, clock, agent, teammate, customer):
    """Dana writes three times on the laptop: the first email leaves at once, the next two
    wait out the throttle and leave as one message. Sam writes on the fan twice; his
    second email still waits. Dana's untouched third case warns her (an agent's email)."""
    laptop = take(open_case(agent, customer, "Laptop will not power on"), agent)
    fan = take(open_case(agent, customer, "Fan is loud"), teammate)
    take(open_case(agent, customer, "Docking station flickers"), agent)

    delivery.deliver(reply(laptop, agent, "We are looking at it.").pk)
    at(clock, T0 + MINUTE)
    waiting = reply(laptop, agent, "The power supply is faulty.")
    at(clock, T0 + 2 * MINUTE)
    reply(laptop, agent, "A new one is on its way.")
    at(clock, T0 + 5 * MINUTE)
    delivery.deliver(reply(fan, teammate, "We will clean the fan.").pk)
    at(clock, T0 + 15 * MINUTE)
    assert delivery.deliver(waiting.pk) == 2  # merged into one message
    at(clock, T0 + 16 * MINUTE)
    reply(fan, teammate, "The technician comes tomorrow.")
    at(clock, T0 + 2 * HOUR)
    run_sweep(now=T0 + 2 * HOUR)
    return {"laptop": laptop, "fan": fan}


def test_one_voice(emails, manager_client, customer, agent):
    laptop, fan = emails["laptop"], emails["fan"]
    assert len([m for m in mail.outbox if customer.email in m.to]) == 3
    assert Notice.objects.filter(recipient=agent, kind="sla_warning").count() == 2  # in-app too

    page = report_text(manager_client, "voice")
    assert (
        "5 updates emailed to customers on 2 cases (2.5 per case), sent as 3 messages after "
        "merging. Sent outside the case's voice: 0 (should be none)." in page
    )
    assert report_table(manager_client, "voice") == [
        [f"{laptop.reference} Laptop will not power on", "3", "2"],
        [f"{fan.reference} Fan is loud", "2", "1"],
    ]
    assert "2.5 customer emails per case · 0 outside the case's voice" in report_text(
        manager_client, "index"
    )


def test_an_email_outside_the_cases_voice_is_counted(emails, manager_client, customer):
    # Say a change routed an owner's SLA warning to the customer: a second voice.
    outbox.notify_by_email(
        recipient=customer,
        case=emails["laptop"],
        kind="sla_warning",
        subject="C-000001 will miss its resolution target",
        body="Tell the customer about the delay.",
        key="test:outside",
    )

    page = report_text(manager_client, "voice")
    assert "Sent outside the case's voice: 1 (should be none)." in page
    assert "· 1 outside the case's voice" in report_text(manager_client, "index")


def test_department_owner_and_period_narrow_the_emails(emails, manager_client, agent, hardware):
    laptop, fan = emails["laptop"], emails["fan"]

    assert [row[0] for row in report_table(manager_client, "voice", department=hardware.pk)] == [
        f"{fan.reference} Fan is loud"
    ]
    assert "3 updates emailed to customers on 1 case (3.0 per case), sent as 2 messages" in (
        report_text(manager_client, "voice", owner=agent.pk)
    )
    assert [row[0] for row in report_table(manager_client, "voice", owner=agent.pk)] == [
        f"{laptop.reference} Laptop will not power on"
    ]
    later = report_text(manager_client, "voice", **{"from": "2025-03-04", "to": "2025-03-10"})
    assert "0 updates emailed to customers on 0 cases (— per case)" in later
    assert "No customer email in the period." in later


def test_voice_csv_has_the_rows_of_the_table(emails, manager_client):
    laptop, fan = emails["laptop"], emails["fan"]

    assert csv_rows(manager_client, "voice") == [
        ["case", "title", "updates emailed", "emails sent"],
        [laptop.reference, "Laptop will not power on", "3", "2"],
        [fan.reference, "Fan is loud", "2", "1"],
    ]
