"""Items 10 and 18: a merged email is rebuilt from the case as it is when it leaves, and
reads as a person wrote it: one greeting, no Markdown marks, no relative time frozen at
writing. What a real SMTP server receives is what these tests read."""

from datetime import timedelta

import pytest

from cases import services
from cases.models import Priority
from cases.services.lifecycle import CLOSED_AFTER_PROPOSAL
from notifications.models import Notice
from tests.helpers import LAPTOP, confirm, deliver_due_email, notices, open_case, propose
from tests.sla.seed import T0
from tests.smtp import body_text

MINUTE = timedelta(minutes=1)


@pytest.fixture
def case(db, agent, customer, clock, settings, smtp_sink):
    """Alex's case, owned by Dana; Alex heard from Dana at T0, so for the next 15 minutes
    whatever Dana does waits in the outbox (one voice)."""
    settings.CUSTOMER_EMAIL_THROTTLE = 15 * 60
    case = open_case(agent, customer, **LAPTOP, priority=Priority.NORMAL, owner=agent)
    services.reply_to_customer(case=case, acting_user=agent, body="We are on it.")
    assert deliver_due_email() == 1
    return case


def text_of(message) -> str:
    return body_text(message).replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def leave_at(clock, minutes: int) -> int:
    clock.move_to(T0 + minutes * MINUTE, tick=False)
    return deliver_due_email()


def still_broken(case, customer):
    return services.reopen(
        case=case, acting_user=customer, reason="Still broken.", expected_version=None
    )


def test_two_proposals_overtaken_by_closing_send_one_email_that_says_closed(
    case, agent, customer, smtp_sink, clock
):
    clock.move_to(T0 + 2 * MINUTE, tick=False)
    propose(case, agent, "We replaced the power supply.")
    still_broken(case, customer)
    propose(case, agent, "We replaced the battery too.")
    services.close_case(case=case, acting_user=agent, reason="", expected_version=None)

    assert leave_at(clock, 15) == 1

    [_first, closing] = smtp_sink.to(customer.email)
    assert closing["Subject"] == f"[{case.reference}] Your case is closed: {case.title}"
    text = body_text(closing)
    assert CLOSED_AFTER_PROPOSAL in text
    assert "Please confirm" not in text
    assert "replaced the battery" not in text
    dropped = notices(customer).filter(status=Notice.Status.OVERTAKEN).order_by("pk")
    assert [n.not_sent_because for n in dropped] == [
        "A later update of the same sort replaces it.",
        "The case has moved on: it is closed now.",
    ]


def test_nothing_is_sent_when_the_customer_confirmed_before_the_proposal_left(
    case, agent, customer, smtp_sink, clock
):
    clock.move_to(T0 + 2 * MINUTE, tick=False)
    propose(case, agent)
    confirm(case, customer)

    assert leave_at(clock, 15) == 0
    assert leave_at(clock, 60) == 0

    assert len(smtp_sink.to(customer.email)) == 1  # only Dana's first reply
    [proposal] = notices(customer).filter(status=Notice.Status.OVERTAKEN)
    assert proposal.sent_at is None
    assert proposal.not_sent_because == "The case has moved on: it is closed now."


def test_a_reply_still_goes_and_the_closed_case_says_so_first(
    case, agent, customer, smtp_sink, clock
):
    clock.move_to(T0 + 2 * MINUTE, tick=False)
    services.reply_to_customer(
        case=case, acting_user=agent, body="The courier brings the new battery at noon."
    )
    propose(case, agent)
    confirm(case, customer)

    assert leave_at(clock, 15) == 1

    [_first, merged] = smtp_sink.to(customer.email)
    assert merged["Subject"] == f"[{case.reference}] Your case is closed: {case.title}"
    text = body_text(merged)
    assert text.index("You confirmed the fix, and your case is closed.") < text.index(
        "The courier brings the new battery at noon."
    )
    assert "Please confirm" not in text


def test_a_question_the_customer_already_answered_is_not_asked_again(
    case, agent, customer, smtp_sink, clock
):
    clock.move_to(T0 + 2 * MINUTE, tick=False)
    services.wait_on_customer(
        case=case,
        acting_user=agent,
        message="Which serial number is on the bottom of the laptop?",
        expected_version=None,
    )
    services.add_customer_message(case=case, acting_user=customer, body="It is SN-1234.")
    services.reply_to_customer(case=case, acting_user=agent, body="Thank you, ordering now.")

    assert leave_at(clock, 15) == 1

    [_first, update] = smtp_sink.to(customer.email)
    text = body_text(update)
    assert "Thank you, ordering now." in text
    assert "Which serial number" not in text


def test_the_plain_text_greets_once_and_carries_no_markdown(
    case, agent, customer, smtp_sink, clock
):
    clock.move_to(T0 + 20 * MINUTE, tick=False)
    services.reply_to_customer(
        case=case,
        acting_user=agent,
        body=(
            "Hi Alex,\n\nWe **replaced** the [power supply](https://parts.example/psu).\n\n"
            "- charge it overnight\n- then try again"
        ),
    )
    assert deliver_due_email() == 1

    message = smtp_sink.to(customer.email)[-1]
    text = text_of(message)
    assert text.startswith("Hi Alex,\n\nWe replaced the power supply (https://parts.example/psu).")
    assert "Hello" not in text
    assert "**" not in text and "](" not in text
    assert "- charge it overnight\n- then try again" in text
    html = html_of(message)
    assert "Hello" not in html
    assert "<strong>replaced</strong>" in html
    assert 'href="https://parts.example/psu"' in html
    assert "<li>charge it overnight</li>" in html


def test_our_greeting_opens_an_update_that_does_not_greet(case, customer, smtp_sink, clock):
    text = text_of(smtp_sink.to(customer.email)[0])

    assert text.startswith(f"Hello {customer.get_short_name()},\n\nWe are on it.")
    assert text.count("Hello") == 1
