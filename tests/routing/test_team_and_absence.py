"""The lead's team view, absences handed over to a cover, and the lead told when new
cases wait because nobody is available."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import Case, EntryKind, Status
from helpdesk.accounts.models import Absence, Department, User
from notifications.models import Notice
from tests.factories import AgentFactory
from tests.helpers import (
    bulk_cases,
    deliver_due_email,
    entries,
    mail_to,
    page_text,
    report_case,
    signed_in,
    sweep_at,
)
from tests.sla.seed import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def automatic(support, manager):
    support.routing = Department.Routing.AUTOMATIC
    support.lead = manager
    support.save(update_fields=["routing", "lead"])
    return support


@pytest.fixture
def robin(support):
    return AgentFactory(email="robin@example.test", full_name="Robin Diaz", departments=[support])


def test_the_team_view_shows_load_absence_and_waiting_cases(
    automatic, agent, robin, manager, customer, clock
):
    bulk_cases(3, customer=customer, owner=agent, department=automatic)
    Absence.objects.create(agent=robin, starts=T0 + timedelta(days=2), ends=T0 + timedelta(days=4))
    User.objects.filter(pk__in=[agent.pk, robin.pk, manager.pk]).update(
        availability=User.Availability.OFF
    )
    waiting = report_case(customer, "Nobody is in yet")

    page = page_text(signed_in(manager).get(reverse("desk:team")))

    assert "Support Automatic routing Lead: Morgan Reyes" in page
    assert "Dana Lee" in page and "3 of 15" in page
    assert "Robin Diaz" in page and "Wed 5 Mar until Fri 7 Mar, 09:00" in page
    assert f"{waiting.reference} Nobody is in yet" in page


def test_the_lead_assigns_a_waiting_case_from_the_team_view(automatic, agent, manager, customer):
    User.objects.filter(pk__in=[agent.pk, manager.pk]).update(availability=User.Availability.OFF)
    waiting = report_case(customer, "Nobody is in yet")

    response = signed_in(manager).post(
        reverse("desk:assign", args=[waiting.reference]), {"to": agent.pk}, follow=True
    )

    waiting.refresh_from_db()
    assert waiting.owner == agent and waiting.status == Status.OPEN
    assert f"{waiting.reference} is now owned by Dana Lee." in page_text(response)


def test_an_absence_hands_the_cases_to_the_cover_and_tells_each_customer_once(
    automatic, agent, robin, manager, customer, clock, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cases = [report_case(customer, f"Problem {i}") for i in range(2)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(owner=agent)
    deliver_due_email()

    response = signed_in(agent).post(
        reverse("desk:plan_absence"),
        {
            "agent": agent.pk,
            "starts": "2025-03-03T10:00",
            "ends": "2025-03-07T18:00",
            "cover": robin.pk,
        },
        follow=True,
    )
    assert "Dana Lee's absence is planned." in page_text(response)
    assert Case.objects.filter(owner=agent).count() == 2  # not before it starts

    sweep_at(clock, T0 + timedelta(hours=1))
    sweep_at(clock, T0 + timedelta(hours=2))
    deliver_due_email()

    for case in cases:
        case.refresh_from_db()
        assert case.owner == robin
        handover = entries(case, EntryKind.OWNERSHIP_CHANGE)[-1]
        assert handover.body == (
            "Dana Lee is out of the office until Fri 7 Mar, 18:00 UTC. Robin Diaz now owns your "
            "case and will keep you posted."
        )
    emails = [m for m in mail_to(customer) if "now looks after your case" in m.subject]
    assert len(emails) == 2  # one per case, never repeated by a later sweep
    assert "Robin Diaz now owns your case" in emails[0].body


def test_without_a_cover_the_cases_are_routed_again(
    automatic, agent, robin, manager, customer, clock
):
    User.objects.filter(pk=manager.pk).update(availability=User.Availability.OFF)
    [case] = bulk_cases(1, customer=customer, owner=agent, department=automatic)
    Absence.objects.create(agent=agent, starts=T0, ends=T0 + timedelta(days=1))

    sweep_at(clock, T0 + timedelta(minutes=1))

    case.refresh_from_db()
    assert case.owner == robin
    assert (
        "routed again to Robin Diaz"
        in entries(case, EntryKind.OWNERSHIP_CHANGE)[-1].data["summary"]
    )


def test_at_night_the_cases_go_to_a_colleague_with_room_not_past_the_leads_capacity(
    automatic, agent, robin, manager, customer, clock
):
    """An absence starting at midnight finds nobody available: each case goes to a
    colleague with room (who finds it in the morning), not to a full lead."""
    User.objects.filter(pk__in=[robin.pk, manager.pk]).update(availability=User.Availability.OFF)
    User.objects.filter(pk=manager.pk).update(capacity=0)  # the lead is full
    [case] = bulk_cases(1, customer=customer, owner=agent, department=automatic)
    Absence.objects.create(agent=agent, starts=T0, ends=T0 + timedelta(days=1))

    sweep_at(clock, T0 + timedelta(minutes=1))

    case.refresh_from_db()
    assert case.owner == robin
    assert (
        "passed to Robin Diaz, who has room for it"
        in entries(case, EntryKind.OWNERSHIP_CHANGE)[-1].data["summary"]
    )


def test_the_lead_hears_once_when_a_case_waits_too_long(automatic, agent, manager, customer, clock):
    User.objects.filter(pk__in=[agent.pk, manager.pk]).update(availability=User.Availability.OFF)
    waiting = report_case(customer, "Nobody is in yet")

    sweep_at(clock, T0 + timedelta(minutes=9))
    assert not Notice.objects.filter(kind=Notice.Kind.WAITING_FOR_OWNER).exists()
    sweep_at(clock, T0 + timedelta(minutes=10))
    sweep_at(clock, T0 + timedelta(minutes=11))

    [alert] = Notice.objects.filter(
        kind=Notice.Kind.WAITING_FOR_OWNER, channel=Notice.Channel.IN_APP
    )
    assert alert.recipient == manager
    assert (
        alert.subject == f"{waiting.reference} has waited 10 minutes for an owner: Nobody is in yet"
    )
    assert (
        Notice.objects.filter(
            kind=Notice.Kind.WAITING_FOR_OWNER, channel=Notice.Channel.EMAIL
        ).count()
        == 1
    )


def test_an_agent_may_not_set_a_teammates_availability(automatic, agent, robin):
    response = signed_in(agent).post(
        reverse("desk:agent_availability", args=[robin.pk]), {"availability": "off"}, follow=True
    )

    assert "Only the agent, their lead or a manager sets an agent's availability." in page_text(
        response
    )
    robin.refresh_from_db()
    assert robin.availability == User.Availability.AVAILABLE


def test_the_time_to_owner_report_counts_cases_still_waiting(
    automatic, agent, manager, customer, clock
):
    User.objects.filter(pk__in=[agent.pk, manager.pk]).update(availability=User.Availability.OFF)
    report_case(customer, "Nobody is in yet")
    clock.move_to(T0 + timedelta(minutes=30), tick=False)

    page = page_text(signed_in(manager).get("/reports/time-to-owner/"))

    assert "1 case of the period still waits for an owner, the longest for 0.5 h." in page


def test_the_cover_takes_what_fits_their_capacity_and_the_rest_is_routed(
    automatic, agent, robin, manager, customer, clock
):
    User.objects.filter(pk=robin.pk).update(capacity=1)
    cases = bulk_cases(2, customer=customer, owner=agent, department=automatic)
    Absence.objects.create(agent=agent, starts=T0, ends=T0 + timedelta(days=1), cover=robin)

    sweep_at(clock, T0 + timedelta(minutes=1))

    owners = [Case.objects.get(pk=c.pk).owner for c in cases]
    assert owners == [robin, manager]  # Robin is full after one; Morgan has room
