"""Saved replies: filled from the case, found by the agent who may use them (their own,
their departments'), never sent with a placeholder left as typed, and able to carry one
follow-up the agent confirms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, EntryKind, Status
from helpdesk.knowledge import saved_replies
from helpdesk.knowledge.models import SavedReply, SavedReplyUse
from tests.helpers import HTMX, LAPTOP, entries, fresh, open_case, signed_in

pytestmark = pytest.mark.django_db

THANKS = "Hello {customer.first_name}, {owner.name} here about {case.reference}: fixed by {eta}."


@pytest.fixture
def laptop(agent, customer):
    return open_case(agent, customer, **LAPTOP, owner=agent)


@pytest.fixture
def replies(agent, teammate, support, hardware):
    return {
        "mine": SavedReply.objects.create(title="Thanks and ETA", body=THANKS, owner=agent),
        "support": SavedReply.objects.create(
            title="Thanks for your patience", body="Thank you {customer.first_name}.",
            department=support, follow_up=SavedReply.FollowUp.PROPOSE,
        ),
        "sams": SavedReply.objects.create(title="Thanks from Sam", body="Hi", owner=teammate),
        "hardware": SavedReply.objects.create(
            title="Thanks, Hardware", body="Hi", department=hardware
        ),
    }  # fmt: skip


def test_placeholders_are_filled_from_the_case_and_the_unknown_named(laptop, agent):
    filled = saved_replies.fill(THANKS, laptop, agent)
    assert filled.text == f"Hello Alex, Dana Lee here about {laptop.reference}: fixed by {{eta}}."
    assert filled.missing == ["{eta}"]

    Case.objects.filter(pk=laptop.pk).update(eta=timezone.now() + timedelta(days=1))
    assert saved_replies.fill(THANKS, fresh(laptop), agent).missing == []


def test_the_picker_lists_what_the_agent_may_use_filled_for_the_case(laptop, agent, replies):
    page = signed_in(agent).get(
        "/desk/saved-replies/pick/", {"case": laptop.reference, "q": "thanks"}, headers=HTMX
    )

    assert "Thanks and ETA" in page.text and "Thanks for your patience" in page.text
    assert "Thanks from Sam" not in page.text and "Thanks, Hardware" not in page.text
    assert (
        f'data-saved-text="Hello Alex, Dana Lee here about {laptop.reference}: fixed by {{eta}}."'
        in page.text
    )
    assert "To fill in: {eta}" in page.text
    assert 'data-follow-up="propose"' in page.text


def test_a_reply_with_a_placeholder_left_is_not_sent(laptop, agent):
    typed = "Hello Alex, fixed by {eta}."

    refused = signed_in(agent).post(
        f"/desk/cases/{laptop.reference}/entries/", {"kind": "reply", "body": typed}, headers=HTMX
    )

    assert refused.status_code == 422
    assert "Fill in {eta} before sending" in refused.text and typed in refused.text
    assert not entries(laptop, EntryKind.AGENT_REPLY)


def test_a_reply_with_a_follow_up_proposes_the_resolution(laptop, agent):
    sent = signed_in(agent).post(
        f"/desk/cases/{laptop.reference}/entries/",
        {"kind": "reply", "body": "We replaced the power supply.", "then": "propose"},
        headers=HTMX,
    )

    assert (
        sent.status_code == 200
        and sent.headers["HX-Redirect"] == f"/desk/cases/{laptop.reference}/"
    )
    assert fresh(laptop).status == Status.PENDING_CONFIRMATION
    assert entries(laptop, EntryKind.STATUS_CHANGE)[-1].body == "We replaced the power supply."


def test_the_agent_manages_their_saved_replies(agent, teammate, support, replies):
    page = signed_in(agent)

    made = page.post(
        "/desk/saved-replies/",
        {"title": "Ask for the serial", "body": "Which serial, {customer.first_name}?",
         "shared_with": str(support.pk), "follow_up": "wait"},
    )  # fmt: skip
    assert made.status_code == 302
    shared = SavedReply.objects.get(title="Ask for the serial")
    assert shared.department == support and shared.owner is None
    assert signed_in(teammate).get(f"/desk/saved-replies/{replies['mine'].pk}/").status_code == 404


def test_putting_one_in_is_counted(laptop, agent, replies):
    signed_in(agent).post(
        f"/desk/saved-replies/{replies['mine'].pk}/used/", {"case": laptop.reference}
    )

    assert SavedReplyUse.objects.get().saved_reply == replies["mine"]


def test_the_case_page_offers_articles_its_customer_may_read(laptop, agent, kb):
    page = signed_in(agent).get(f"/desk/knowledge/for/{laptop.reference}/", headers=HTMX).text

    assert "Laptop will not charge" in page
    assert 'data-insert-link="[Laptop will not charge](http' in page
    internal = page[page.index("Replacing a power supply (agents)") :].split("</li>", 1)[0]
    assert "data-insert-link" not in internal  # the customer could not open it


def test_a_reply_starts_an_article(laptop, agent, manager):
    from cases import services as case_services

    reply = case_services.reply_to_customer(
        case=laptop, acting_user=agent, body="Hold the power button for 30 seconds."
    )
    page = signed_in(manager).get("/desk/knowledge/new/", {"from_entry": reply.pk}).text

    assert "Hold the power button for 30 seconds." in page
    assert 'value="Laptop will not power on"' in page
