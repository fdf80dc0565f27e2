"""Automatic routing: a department set to automatic gives each new case an owner in the
request that creates it, explained on the timeline; manual departments keep triage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, EntryKind, IntakeRule, Status
from cases.services import routing
from helpdesk.accounts.models import Absence, Department, User
from tests.factories import AgentFactory
from tests.helpers import bulk_cases, entries, page_text, portal_url, report_case, signed_in
from tests.mail.corpus import plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def automatic(support):
    support.routing = Department.Routing.AUTOMATIC
    support.save(update_fields=["routing"])
    return support


@pytest.fixture
def robin(support):
    return AgentFactory(email="robin@example.test", full_name="Robin Diaz", departments=[support])


def owned(agent, n: int, customer) -> None:
    """Give `agent` n active cases of `customer` (already theirs before the test)."""
    bulk_cases(n, customer=customer, owner=agent, department=agent.departments.first())


def assigned_words(case: Case) -> str:
    [entry] = entries(case, EntryKind.OWNERSHIP_CHANGE)
    return entry.data["summary"]


def test_a_manual_department_keeps_the_case_in_triage(support, agent, customer):
    case = report_case(customer, "Printer jams")

    assert case.owner is None and case.status == Status.NEW
    assert case.intake_department == support


def test_the_portal_report_gets_the_least_loaded_available_agent_at_once(
    automatic, agent, robin, customer, outsider, client
):
    owned(agent, 2, outsider)  # another organisation's: no continuity with Alex
    client.force_login(customer)

    response = client.post(
        reverse("portal:report"),
        {"title": "Screen flickers", "description": "Since this morning.", "priority": "20"},
    )

    assert response.status_code == 302, page_text(response)
    case = Case.objects.get(title="Screen flickers")
    assert case.owner == robin and case.status == Status.OPEN
    assert case.owning_department == automatic
    assert assigned_words(case) == (
        "Assigned automatically: available, 0 of 15 active cases, the least loaded"
    )
    portal = page_text(client.get(portal_url(case)))
    assert "Your case is now owned by Robin Diaz, Support." in portal
    assert "Assigned automatically" not in portal  # the load is staff business


def test_the_customers_owner_last_time_is_preferred_while_they_have_room(
    automatic, agent, robin, customer
):
    owned(agent, 3, customer)

    case = report_case(customer, "Another laptop problem")

    assert case.owner == agent
    assert assigned_words(case) == (
        "Assigned automatically: available, 3 of 15 active cases, and this customer's owner "
        "last time"
    )


def test_nobody_is_given_more_than_their_capacity(automatic, agent, robin, customer):
    User.objects.filter(pk__in=[agent.pk, robin.pk]).update(capacity=2)

    cases = [report_case(customer, f"Problem {i}") for i in range(5)]

    owners = [c.owner for c in cases]
    assert owners.count(agent) == 2 and owners.count(robin) == 2
    waiting = cases[4]
    assert waiting.owner is None and waiting.status == Status.NEW

    services.close_case(
        case=cases[0], acting_user=cases[0].owner, reason="Fixed.", expected_version=None
    )
    assert routing.route_waiting() == 1
    waiting.refresh_from_db()
    assert waiting.owner == cases[0].owner


def test_a_fix_awaiting_confirmation_keeps_its_place_for_still_broken(
    automatic, agent, robin, customer
):
    """A case pending confirmation counts against its owner's capacity: when the customer
    says "still broken" it comes back to them, and they have room for it."""
    User.objects.filter(pk__in=[agent.pk, robin.pk]).update(capacity=1)
    fixed = report_case(customer, "Laptop will not charge")
    services.propose_resolution(
        case=fixed, acting_user=fixed.owner, body="New charger sent.", expected_version=None
    )

    other = report_case(customer, "Printer jams")
    waiting = report_case(customer, "Screen flickers")

    assert {fixed.owner, other.owner} == {agent, robin}
    assert waiting.owner is None  # both full: one working, one awaiting a confirmation
    services.reopen(case=fixed, acting_user=customer, reason="Still broken.", expected_version=None)
    fixed.refresh_from_db()
    assert fixed.status == Status.OPEN
    assert routing.route_waiting() == 0
    assert Case.objects.filter(owner=fixed.owner).exclude(status=Status.CLOSED).count() == 1


def test_away_off_and_out_of_office_agents_get_no_new_cases(automatic, agent, robin, customer):
    robin.availability = User.Availability.AWAY
    robin.save(update_fields=["availability"])
    now = timezone.now()
    Absence.objects.create(
        agent=agent, starts=now - timedelta(hours=1), ends=now + timedelta(days=2)
    )

    case = report_case(customer, "Nobody is here")

    assert case.owner is None


def test_becoming_available_in_the_header_picks_up_the_waiting_case(
    automatic, agent, customer, django_capture_on_commit_callbacks
):
    agent.availability = User.Availability.OFF
    agent.save(update_fields=["availability"])
    case = report_case(customer, "Waiting for someone")
    assert case.owner is None
    client = signed_in(agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("desk:availability"),
            {"availability": "available"},
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    assert '<option value="available" selected>' in response.text
    case.refresh_from_db()
    assert case.owner == agent
    assert '<option value="available" selected>Available</option>' in client.get("/desk/").text


def test_an_unknown_availability_is_refused(agent):
    response = signed_in(agent).post(
        reverse("desk:availability"), {"availability": "napping"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "Choose available, away or off." in response.text


def test_ties_go_to_whoever_waited_longest_since_their_last_new_case(
    automatic, agent, robin, customer, outsider
):
    now = timezone.now()
    User.objects.filter(pk=agent.pk).update(last_routed_at=now - timedelta(minutes=5))
    User.objects.filter(pk=robin.pk).update(last_routed_at=now - timedelta(minutes=30))

    first = report_case(outsider, "First of the day")

    assert first.owner == robin


# --- which department a case starts in -----------------------------------------------------


def test_intake_rules_choose_the_department_in_order(
    support, hardware, teammate, customer, organization
):
    hardware.routing = Department.Routing.AUTOMATIC
    hardware.save(update_fields=["routing"])
    IntakeRule.objects.create(order=1, department=hardware, title_words="battery, power supply")
    IntakeRule.objects.create(order=2, department=support, organization=organization)

    battery = report_case(customer, "The Battery swells")
    other = report_case(customer, "Password reset")

    assert battery.intake_department == hardware and battery.owner == teammate
    assert other.intake_department == support and other.owner is None


def test_an_email_rule_uses_the_mailbox_it_arrived_in(hardware, support, customer, tmp_path):
    from tests.helpers import run_command

    IntakeRule.objects.create(department=hardware, mailbox="hardware")
    path = tmp_path / "1.eml"
    path.write_bytes(plain("hw-1", "It will not boot.", subject="Laptop dead"))

    run_command("ingest_email", str(path), "--mailbox", "hardware")

    assert Case.objects.get(title="Laptop dead").intake_department == hardware


# --- working hours ----------------------------------------------------------------------


def test_outside_working_hours_nobody_is_given_a_case_until_the_day_starts(
    automatic, agent, robin, customer, clock
):
    from cases.models import WorkingHours
    from tests.helpers import sweep_at
    from tests.sla.seed import T0, create_policies

    policies = create_policies()  # office hours: Mon to Fri 09:00 to 17:00, London
    WorkingHours.objects.create(department=automatic, calendar=policies.office)
    # Robin works any time by their own hours, but is off today.
    WorkingHours.objects.create(agent=robin, calendar=policies.always)
    User.objects.filter(pk=robin.pk).update(availability=User.Availability.OFF)
    clock.move_to(T0 - timedelta(hours=2), tick=False)  # Monday 07:00 UTC

    early = report_case(customer, "Before the office opens")
    assert early.owner is None

    sweep_at(clock, T0)  # 09:00 London: Dana's day starts
    early.refresh_from_db()
    assert early.owner == agent


def test_the_category_a_customer_picks_in_the_portal_chooses_the_department(
    support, hardware, teammate, customer, client
):
    hardware.routing = Department.Routing.AUTOMATIC
    hardware.save(update_fields=["routing"])
    IntakeRule.objects.create(department=hardware, category="Hardware repair")
    IntakeRule.objects.create(department=support, category="Billing")
    client.force_login(customer)

    form = client.get(reverse("portal:report")).content.decode()
    assert "What is it about?" in form
    assert form.index(">Billing<") < form.index(">Hardware repair<")
    response = client.post(
        reverse("portal:report"),
        {"title": "Hinge broke", "description": "The lid falls.", "priority": "20",
         "category": "Hardware repair"},
    )  # fmt: skip

    assert response.status_code == 302
    case = Case.objects.get(title="Hinge broke")
    assert case.category == "Hardware repair"
    assert case.intake_department == hardware and case.owner == teammate


def test_without_categories_the_portal_asks_none(support, customer, client):
    client.force_login(customer)

    assert "What is it about?" not in client.get(reverse("portal:report")).content.decode()
