"""Who calls who: a customer who prefers the phone (or an urgent case) gets a call before
a delay notice would go; a reached call counts as the customer told, exactly once; a
missed one does not. Calls read on the case in the customer's words; customers who have
to ask for news are counted."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases import services
from cases.models import CallTask, EntryKind, Priority, SLATarget
from helpdesk.accounts.models import User
from notifications.models import Notice
from tests.helpers import (
    deliver_due_email,
    desk_url,
    entries,
    fresh,
    mail_to,
    notices,
    page_text,
    portal_url,
    signed_in,
)
from tests.sla.seed import HOUR, T0

MINUTE = timedelta(minutes=1)


@pytest.fixture
def phone_customer(customer):
    customer.phone = "+44 20 7946 0958"
    customer.preferred_contact = User.Contact.PHONE
    customer.save(update_fields=["phone", "preferred_contact"])
    return customer


@pytest.fixture
def late_case(make_case, agent, phone_customer, sweep):
    """Normal priority, 24x7: first response due T0+4h (owner warned +2h, customer told
    +3h). Alex prefers a call."""
    case = make_case()
    sweep(T0 + 2 * HOUR)  # the owner's early warning
    return case


def delay_notices(case):
    return [e for e in entries(case, EntryKind.DELAY_NOTICE) if e.data.get("automatic")]


def test_the_owner_is_asked_to_call_before_the_written_notice(late_case, agent, sweep):
    [task] = CallTask.objects.filter(case=late_case)
    assert task.owner == agent and task.status == CallTask.Status.OPEN
    assert task.due == T0 + 3 * HOUR and task.target == SLATarget.FIRST_RESPONSE
    [notice] = notices(agent, kind=Notice.Kind.CALL_DUE, channel=Notice.Channel.IN_APP)
    assert notice.subject == f"Call Alex Kim about {late_case.reference} by Mon 3 Mar, 12:00 UTC"

    desk = signed_in(agent)
    dashboard = page_text(desk.get("/desk/"))
    assert f"Calls to make 1 By Mon 3 Mar, 12:00 · {late_case.reference}" in dashboard
    page = desk.get(desk_url(late_case)).content.decode()
    assert 'href="tel:+442079460958"' in page and "Prefers a call" in page
    assert "Call Alex Kim by Mon 3 Mar, 12:00" in page_text(desk.get(desk_url(late_case)))


@pytest.mark.embedded  # SLA steps the owner claims must match the ORM's rows on SQLite too
def test_a_reached_call_tells_the_customer_and_no_automatic_notice_follows(
    late_case, agent, customer, sweep, client
):
    response = signed_in(agent).post(
        reverse("desk:case_action", args=[late_case.reference, "call"]),
        {
            "version": late_case.version,
            "direction": "outbound",
            "outcome": "reached",
            "notes": "the battery ships Thursday",
            "alternatives": "a loaner is on its way",
            "new_eta": "2025-03-06T12:00",
        },
    )
    assert response.status_code == 302

    [call] = entries(late_case, EntryKind.CALL)
    assert call.body == (
        "Dana Lee called you: the battery ships Thursday\n\nOffered meanwhile: a loaner is on "
        "its way\n\nNew estimate: Thu 6 Mar, 12:00 UTC."
    )
    case = fresh(late_case)
    assert case.eta.isoformat() == "2025-03-06T12:00:00+00:00"
    assert CallTask.objects.get(case=case).status == CallTask.Status.DONE
    client.force_login(customer)
    assert "Dana Lee called you: the battery ships Thursday" in page_text(
        client.get(portal_url(case))
    )

    # The call was the first response, and the customer heard of the delay: neither the
    # written notice for the first response nor the one for the resolution follows.
    for hours in (3, 4, 11, 12):
        sweep(T0 + hours * HOUR)
    assert delay_notices(late_case) == []
    [breach] = entries(late_case, EntryKind.SLA_BREACHED)
    assert breach.data["target"] == SLATarget.RESOLUTION
    assert breach.data["customer_told_before"] is True
    # Exactly once: the next update the customer is owed after the call still goes.
    sweep(T0 + 26 * HOUR + 30 * MINUTE)
    assert [n.data["target"] for n in delay_notices(late_case)] == [SLATarget.NEXT_UPDATE]


def test_a_missed_call_leaves_the_written_notice_to_go(late_case, agent, sweep):
    services.log_call(
        case=late_case, acting_user=agent, direction="outbound", outcome="no_answer", notes=""
    )

    [call] = entries(late_case, EntryKind.CALL)
    assert call.body == "Dana Lee tried to call you but could not reach you."
    sweep(T0 + 3 * HOUR)
    assert [n.data["target"] for n in delay_notices(late_case)] == [SLATarget.FIRST_RESPONSE]
    assert CallTask.objects.get(case=late_case).status == CallTask.Status.EXPIRED


def test_a_reached_call_without_notes_keeps_the_form(late_case, agent):
    response = signed_in(agent).post(
        reverse("desk:case_action", args=[late_case.reference, "call"]),
        {
            "version": late_case.version,
            "direction": "outbound",
            "outcome": "reached",
            "notes": "",
            "alternatives": "a loaner",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Write what you told each other" in page_text(response)
    assert 'value="a loaner"' in response.text
    assert entries(late_case, EntryKind.CALL) == []


def test_the_customer_may_ask_for_a_written_record_of_the_call(
    late_case, agent, customer, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(pk=customer.pk).update(call_notes_by_email=True)

    services.log_call(
        case=fresh(late_case), acting_user=agent, direction="outbound", outcome="reached",
        notes="the battery ships Thursday",
    )  # fmt: skip
    deliver_due_email()

    [record] = [m for m in mail_to(customer) if "Notes from our call" in m.subject]
    assert "Dana Lee called you: the battery ships Thursday" in record.body


def test_a_normal_case_of_an_email_customer_gets_no_call_task(make_case, customer, sweep):
    case = make_case()
    sweep(T0 + 2 * HOUR)

    assert not CallTask.objects.filter(case=case).exists()


def test_a_high_priority_case_gets_a_call_task_whatever_the_preference(make_case, sweep):
    case = make_case(priority=Priority.HIGH)  # first response due +1h, warned at +30m
    sweep(T0 + 30 * MINUTE)

    assert CallTask.objects.filter(case=case, target=SLATarget.FIRST_RESPONSE).exists()


# --- chases ---------------------------------------------------------------------------


def test_any_news_in_the_portal_is_a_chase_the_owner_hears_of(make_case, agent, customer, client):
    case = make_case()
    client.force_login(customer)

    first = client.post(reverse("portal:ask_for_news", args=[case.reference]), follow=True)
    client.post(reverse("portal:ask_for_news", args=[case.reference]))  # again, at once

    assert "Asked. Dana Lee will get back to you soon." in page_text(first)
    [chase] = entries(case, EntryKind.CHASE)
    assert chase.data["chase"] is True
    assert "You asked for news." in page_text(client.get(portal_url(case)))
    [told] = notices(agent, kind=Notice.Kind.CUSTOMER_CHASED, channel=Notice.Channel.IN_APP)
    assert told.subject == f"Alex Kim asked for news on {case.reference}"


def test_the_report_counts_chases_and_who_was_chased_before_told(
    make_case, agent, customer, manager, sweep
):
    chased = make_case("Chased first")
    told_first = make_case("Told first")
    sweep(T0 + HOUR)
    services.ask_for_news(case=chased, acting_user=customer)  # before the 12:00 notice
    sweep(T0 + 3 * HOUR)  # both customers are told of the delay
    sweep(T0 + 3 * HOUR + 10 * MINUTE)
    services.ask_for_news(case=told_first, acting_user=customer)  # after being told
    sweep(T0 + 4 * HOUR)  # both first responses missed

    page = page_text(signed_in(manager).get("/reports/sla/?start=2025-03-01&end=2025-03-31"))

    assert "Chased before told: 50.0% (1 of 2 missed deadlines" in page
    assert "2 times a customer asked for news" in page


def test_an_agent_takes_down_the_customers_number_on_the_case_page(make_case, agent, customer):
    case = make_case()
    desk = signed_in(agent)

    refused = desk.post(
        reverse("desk:customer_contact", args=[case.reference]),
        {"phone": "", "preferred_contact": "phone"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert "Give a phone number to be called on." in page_text(refused)

    desk.post(
        reverse("desk:customer_contact", args=[case.reference]),
        {"phone": "+1 415 555 0100", "preferred_contact": "phone"},
    )

    customer.refresh_from_db()
    assert customer.phone == "+1 415 555 0100" and customer.preferred_contact == "phone"
    assert 'href="tel:+14155550100"' in desk.get(desk_url(case)).content.decode()
