"""The pages that list things and were not pinned yet cost the same number of queries at
10 rows as at 1,000: notices and the bell, incidents on the desk and in the portal, the
mail quarantine, the agent picker, the audit trail, and a case page with many handoffs.
Each count is pinned, and each test runs at both sizes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import (
    OPEN_HANDOFF_STATUSES,
    Case,
    Handoff,
    HandoffStatus,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Priority,
    Status,
)
from helpdesk.accounts.models import AuditEvent, User
from notifications.models import InboundMessage, Notice
from tests.factories import AgentFactory, DepartmentFactory
from tests.helpers import open_case, signed_in

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]
HTMX = {"HX-Request": "true"}

# Every count starts with the session and the signed-in user (2 queries).
# The agent's latest in-app notices with their cases (one join).
NOTICES_QUERIES = 3
NOTICES_FRAGMENT_QUERIES = 3
# Marking them all read (one UPDATE), then the list as above.
MARK_ALL_READ_QUERIES = 4
# The unread count.
BELL_QUERIES = 3
# The incident (through the customer's organisation), the customer's organisation (who
# sees which cases), the customer's cases on it (at most 20), the known-issue banner, the
# public updates.
PORTAL_INCIDENT_QUERIES = 7
# The incidents' count, the page of incidents with their authors.
INCIDENT_LIST_QUERIES = 4
# The incident; linked-case count, the organisations it affects, the page of linked
# cases (with customer, organisation, owner, department); the updates with authors.
INCIDENT_PAGE_QUERIES = 7
# The listed messages' count and their page (a message is decided on its own page), the
# other tab's count.
QUARANTINE_QUERIES = 5
# The matching agents, their departments.
AGENT_PICKER_QUERIES = 4
# The events' count; the filter form's departments and active agents; the page of events
# with their actors.
AUDIT_QUERIES = 6
# The case (with its people, incident and rating), its identifiers, the agent's
# departments, the handoffs (with department, requester, assignee), the ownership chain,
# the timeline's entries, their files, what the customer heard from us and the open call
# task (a timeline shorter than a page has no earlier entries to count).
CASE_PAGE_MEMBER_QUERIES = 11
# And for the owner, who may ask for handoffs: the departments to ask (one list). The agents
# to transfer to are read when the transfer panel opens (`AGENT_PICKER_QUERIES`).
CASE_PAGE_OWNER_QUERIES = CASE_PAGE_MEMBER_QUERIES + 1


@pytest.fixture
def owned_case(agent, customer) -> Case:
    """Alex's laptop at Acme: open, owned by Dana of Support."""
    return open_case(
        agent,
        customer,
        "Laptop will not power on",
        description="Power supply and battery both fail.",
        owner=agent,
        priority=Priority.NORMAL,
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )


# --- Notices ------------------------------------------------------------------------


@pytest.fixture
def many_notices(request, agent, owned_case) -> int:
    """`n` in-app notices for Dana, oldest first, every other one read, half on a case."""
    n = request.param
    now = timezone.now()
    Notice.objects.bulk_create(
        Notice(
            recipient=agent,
            case=owned_case if i % 2 else None,
            kind=Notice.Kind.CUSTOMER_MESSAGE,
            channel=Notice.Channel.IN_APP,
            subject=f"Notice {i}",
            body=f"Something happened ({i}).",
            idempotency_key=f"test:notice:{i}",
            status=Notice.Status.SENT,
            created=now - timedelta(minutes=n - i),
            read_at=now if i % 2 == 0 else None,
        )
        for i in range(n)
    )
    return n


@pytest.mark.parametrize("many_notices", SIZES, indirect=True)
def test_notices_page_query_count_is_flat(
    agent, owned_case, many_notices, django_assert_num_queries
):
    client = signed_in(agent)

    with django_assert_num_queries(NOTICES_QUERIES):
        response = client.get("/desk/notices/")

    assert response.status_code == 200
    newest = f'<a href="/desk/cases/{owned_case.reference}/">Notice {many_notices - 1}</a>'
    assert newest in response.text
    assert response.text.count('class="list-group-item') == min(many_notices, 50)
    assert response.text.count(">New</span>") == min(many_notices, 50) // 2


@pytest.mark.parametrize("many_notices", SIZES, indirect=True)
def test_notices_fragment_query_count_is_flat(agent, many_notices, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(NOTICES_FRAGMENT_QUERIES):
        response = client.get("/desk/notices/", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="notice-list"')
    assert f"Notice {many_notices - 1}<" in response.text


@pytest.mark.parametrize("many_notices", SIZES, indirect=True)
def test_mark_all_read_fragment_query_count_is_flat(agent, many_notices, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(MARK_ALL_READ_QUERIES):
        response = client.post("/desk/notices/", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="notice-list"')
    assert f"Notice {many_notices - 1}<" in response.text
    assert ">New</span>" not in response.text


@pytest.mark.parametrize("many_notices", SIZES, indirect=True)
def test_notice_bell_query_count_is_flat(agent, many_notices, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(BELL_QUERIES):
        response = client.get("/desk/notices/bell/", headers=HTMX)

    assert response.status_code == 200
    assert f'data-testid="unread-count">{many_notices // 2}<' in response.text


# --- Incidents ----------------------------------------------------------------------


def bulk_linked_cases(n: int, *, incident: Incident, customer, owner, department) -> None:
    """`n` open cases of one customer, owned by `owner`, linked to `incident`."""
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            title=f"Web program error {i}",
            customer=customer,
            organization_id=customer.organization_id,
            status=Status.OPEN,
            owner=owner,
            owning_department=department,
            first_owned_at=now,
            incident=incident,
            created=now,
            updated=now,
        )
        for i in range(n)
    )


def bulk_updates(n: int, *, incident: Incident, author) -> None:
    """`n` updates, oldest first: every third one internal, the others public."""
    now = timezone.now()
    IncidentUpdate.objects.bulk_create(
        IncidentUpdate(
            incident=incident,
            author=author,
            visibility="internal" if i % 3 == 1 else "public",
            body=f"Progress {i}",
            body_html=f"<p>Progress {i}</p>",
            status=IncidentStatus.IDENTIFIED if i == 0 else "",
            created=now - timedelta(minutes=n - i),
            fanned_out_at=now,
        )
        for i in range(n)
    )


@pytest.fixture
def busy_incident(request, agent, support, customer, organization) -> Incident:
    """The outage at Acme: `n` of Alex's cases linked to it and `n` updates."""
    n = request.param
    incident = Incident.objects.create(
        title="Sign-in errors after release 4.2",
        public_summary="Since release 4.2, signing in can end on an error.",
        cause="Release 4.2",
        created_by=agent,
    )
    incident.organizations.add(organization)
    bulk_linked_cases(n, incident=incident, customer=customer, owner=agent, department=support)
    bulk_updates(n, incident=incident, author=agent)
    return incident


def last_public(n: int) -> int:
    return max(i for i in range(n) if i % 3 != 1)


def last_internal(n: int) -> int:
    return max(i for i in range(n) if i % 3 == 1)


@pytest.mark.parametrize("busy_incident", SIZES, indirect=True)
def test_portal_incident_query_count_is_flat(customer, busy_incident, django_assert_num_queries):
    n = busy_incident.cases.count()
    client = signed_in(customer)

    with django_assert_num_queries(PORTAL_INCIDENT_QUERIES):
        response = client.get(f"/portal/incidents/{busy_incident.pk}/")

    assert response.status_code == 200
    assert "Sign-in errors after release 4.2" in response.text
    assert f"Progress {last_public(n)}<" in response.text
    assert f"Progress {last_internal(n)}<" not in response.text  # internal
    assert response.text.count('href="/portal/cases/C-') == min(n, 20)


@pytest.fixture
def many_incidents(request, agent) -> int:
    """`n` open incidents, oldest first."""
    n = request.param
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(title=f"Known problem {i}", created_by=agent, created=now - timedelta(hours=n - i))
        for i in range(n)
    )
    return n


@pytest.mark.parametrize("many_incidents", SIZES, indirect=True)
def test_incident_list_query_count_is_flat(agent, many_incidents, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(INCIDENT_LIST_QUERIES):
        response = client.get("/desk/incidents/")

    assert response.status_code == 200
    assert f"Known problem {many_incidents - 1}<" in response.text  # the newest first
    assert len(re.findall(r'href="/desk/incidents/\d+/"', response.text)) == min(many_incidents, 50)


@pytest.mark.parametrize("busy_incident", SIZES, indirect=True)
def test_incident_page_query_count_is_flat(agent, busy_incident, django_assert_num_queries):
    n = busy_incident.cases.count()
    client = signed_in(agent)

    with django_assert_num_queries(INCIDENT_PAGE_QUERIES):
        response = client.get(f"/desk/incidents/{busy_incident.pk}/")

    assert response.status_code == 200
    assert f'data-testid="linked-count">{n}<' in response.text
    assert "Web program error 0<" in response.text
    assert f"Progress {last_public(n)}<" in response.text
    assert f"Progress {last_internal(n)}<" in response.text  # agents read internal ones
    assert "Acme" in response.text


# --- The mail quarantine ------------------------------------------------------------


@pytest.fixture
def mail(request, organization, other_organization) -> int:
    """`n` messages, oldest first: of every four, two quarantined, one ignored (an
    auto-reply), one added to a case."""
    n = request.param
    now = timezone.now()
    InboundMessage.objects.bulk_create(
        InboundMessage(
            message_id=f"<stranger-{i}@mail.example>",
            raw=f"inbound/test/{i}.eml",
            size=1024,
            sender=f"stranger{i}@mail.example",
            subject=f"Printer {i} will not connect",
            status=[
                InboundMessage.Status.PROCESSED,
                InboundMessage.Status.QUARANTINED,
                InboundMessage.Status.QUARANTINED,
                InboundMessage.Status.IGNORED,
            ][i % 4],
            reason=["", "Unknown sender", "Unknown sender", "Auto-reply (X-Autoreply: yes)."][
                i % 4
            ],
            received=now - timedelta(minutes=n - i),
        )
        for i in range(n)
    )
    return n


@pytest.mark.parametrize("mail", SIZES, indirect=True)
def test_quarantine_query_count_is_flat(agent, mail, django_assert_num_queries):
    waiting = [i for i in range(mail) if i % 4 in (1, 2)]
    client = signed_in(agent)

    with django_assert_num_queries(QUARANTINE_QUERIES):
        response = client.get("/desk/mail/")

    assert response.status_code == 200
    assert f"Printer {waiting[-1]} will not connect<" in response.text  # the newest first
    assert "Printer 0 will not connect" not in response.text  # added to a case already
    assert response.text.count(">Read and decide</a>") == min(len(waiting), 50)


@pytest.mark.parametrize("mail", SIZES, indirect=True)
def test_ignored_mail_query_count_is_flat(agent, mail, django_assert_num_queries):
    ignored = [i for i in range(mail) if i % 4 == 3]
    client = signed_in(agent)

    with django_assert_num_queries(QUARANTINE_QUERIES):
        response = client.get("/desk/mail/?show=ignored")

    assert response.status_code == 200
    assert f"Printer {ignored[-1]} will not connect<" in response.text  # the newest first
    assert response.text.count("Auto-reply (X-Autoreply: yes).") == min(len(ignored), 50)
    assert f'data-testid="count-ignored">{len(ignored)}<' in response.text


# --- The agent picker ---------------------------------------------------------------


@pytest.fixture
def many_agents(request, agent, support, hardware) -> int:
    """`n` active agents and managers across Support, Hardware and Parts (every fifth in
    two of them), and a leaver the picker never offers."""
    n = request.param
    parts = DepartmentFactory(name="Parts")
    departments = [support, hardware, parts]
    agents = User.objects.bulk_create(
        User(
            email=f"picked{i}@example.test",
            full_name=f"Agent {i:04d}",
            role=User.Role.MANAGER if i % 10 == 0 else User.Role.AGENT,
            password="!",
        )
        for i in range(n)
    )
    Membership = User.departments.through
    Membership.objects.bulk_create(
        [Membership(user=a, department=departments[i % 3]) for i, a in enumerate(agents)]
        + [
            Membership(user=a, department=departments[(i + 1) % 3])
            for i, a in enumerate(agents)
            if i % 5 == 0
        ]
    )
    AgentFactory(full_name="Agent Leaver", departments=[hardware], is_active=False)
    return n


@pytest.mark.parametrize("many_agents", SIZES, indirect=True)
def test_agent_picker_query_count_is_flat(agent, many_agents, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(AGENT_PICKER_QUERIES):
        response = client.get("/desk/agents/", {"q": "hardware"}, headers=HTMX)

    assert response.status_code == 200
    in_hardware = [i for i in range(many_agents) if i % 3 == 1 or (i % 5 == 0 and i % 3 == 0)]
    assert response.text.count('<option value="') == len(in_hardware) + 1  # and "Choose"
    assert f"Agent {in_hardware[-1]:04d} (" in response.text
    assert "Agent 0000 (Hardware, Support)" in response.text
    assert "Agent Leaver" not in response.text


@pytest.mark.parametrize("many_agents", SIZES, indirect=True)
def test_agent_picker_without_query_count_is_flat(agent, many_agents, django_assert_num_queries):
    client = signed_in(agent)

    with django_assert_num_queries(AGENT_PICKER_QUERIES):
        response = client.get("/desk/agents/", {"q": ""}, headers=HTMX)

    assert response.status_code == 200
    assert response.text.count('<option value="') == many_agents + 2  # Dana, and "Choose"
    assert "Dana Lee (Support)" in response.text


# --- The audit trail ----------------------------------------------------------------


@pytest.fixture
def audit_trail(request, agent, manager) -> int:
    """`n` events of every kind over the last day, oldest first, some with no actor."""
    n = request.param
    now = timezone.now()
    kinds = AuditEvent.Kind.values
    AuditEvent.objects.bulk_create(
        AuditEvent(
            kind=kinds[i % len(kinds)],
            actor=[agent, manager, None][i % 3],
            ip="192.0.2.10",
            path=f"/desk/cases/C-{i:06d}/",
            data={"attempt": i},
            created=now - timedelta(seconds=n - i),
        )
        for i in range(n)
    )
    return n


@pytest.mark.parametrize("audit_trail", SIZES, indirect=True)
def test_audit_report_query_count_is_flat(manager, audit_trail, django_assert_num_queries):
    client = signed_in(manager)

    with django_assert_num_queries(AUDIT_QUERIES):
        response = client.get("/reports/audit/")

    assert response.status_code == 200
    assert f"/desk/cases/C-{audit_trail - 1:06d}/<" in response.text  # the newest first
    # And the manager's own sign-in, the newest of all.
    assert response.text.count('<tr><td class="text-nowrap">') == min(audit_trail + 1, 50)
    assert "Signed in" in response.text
    assert "agent@example.test" in response.text


# --- A case page with many handoffs -------------------------------------------------


def handoff_status(i: int) -> str:
    """The `i`th handoff's status: every status in turn."""
    return HandoffStatus.values[i % len(HandoffStatus.values)]


def open_handoffs(n: int) -> list[int]:
    return [i for i in range(n) if handoff_status(i) in OPEN_HANDOFF_STATUSES]


@pytest.fixture
def many_handoffs(request, owned_case, agent, teammate, hardware) -> int:
    """`n` handoffs Dana asked of Hardware, Parts and Warranty in turn, of every status;
    some of Hardware's assigned to Sam."""
    n = request.param
    departments = [hardware, DepartmentFactory(name="Parts"), DepartmentFactory(name="Warranty")]
    now = timezone.now()
    Handoff.objects.bulk_create(
        Handoff(
            case=owned_case,
            requested_by=agent,
            department=departments[i % 3],
            assignee=teammate if i % 3 == 0 and i % 2 else None,
            needed=f"Part {i} of the work",
            customer_summary=f"step {i}" if i % 4 == 0 else "",
            due=now + timedelta(days=1),
            status=handoff_status(i),
            result=f"Result {i}" if handoff_status(i) == HandoffStatus.DONE else "",
            decline_reason=f"Not ours {i}" if handoff_status(i) == HandoffStatus.DECLINED else "",
            created=now - timedelta(minutes=n - i),
        )
        for i in range(n)
    )
    return n


@pytest.mark.parametrize("many_handoffs", SIZES, indirect=True)
def test_case_page_with_many_handoffs_seen_by_its_owner(
    agent, owned_case, many_handoffs, django_assert_num_queries
):
    client = signed_in(agent)

    with django_assert_num_queries(CASE_PAGE_OWNER_QUERIES):
        response = client.get(f"/desk/cases/{owned_case.reference}/")

    assert response.status_code == 200
    declined = sum(1 for i in range(many_handoffs) if handoff_status(i) == HandoffStatus.DECLINED)
    assert f"Handoffs: {many_handoffs} · Declined: {declined}" in response.text
    opened = open_handoffs(many_handoffs)
    assert response.text.count(">Cancel</button>") == len(opened)  # the owner's to cancel
    assert f"Part {opened[-1]} of the work" in response.text
    assert ">Transfer ownership</button>" in response.text


@pytest.mark.parametrize("many_handoffs", SIZES, indirect=True)
def test_case_page_with_many_handoffs_seen_by_a_department_member(
    teammate, owned_case, many_handoffs, django_assert_num_queries
):
    client = signed_in(teammate)

    with django_assert_num_queries(CASE_PAGE_MEMBER_QUERIES):
        response = client.get(f"/desk/cases/{owned_case.reference}/")

    assert response.status_code == 200
    hardware_open = [i for i in open_handoffs(many_handoffs) if i % 3 == 0]
    assert response.text.count(">Decline</button>") == len(hardware_open)
    assert ">Cancel</button>" not in response.text  # Dana's to cancel, not Sam's
    assert ">Transfer ownership</button>" not in response.text


# --- The team view ----------------------------------------------------------------------

# The departments (with leads), the agents, their departments, their loads, their
# absences (with covers), the waiting cases (with customer and organisation), and the
# absence form's two lists of agents (who is away, who covers).
TEAM_QUERIES = 10


@pytest.fixture
def team(request, manager, support, customer) -> int:
    """`n` agents of Support (one in ten away next week), n cases owned among them, and n
    new cases waiting for an owner."""
    n = request.param
    now = timezone.now()
    agents = User.objects.bulk_create(
        User(email=f"agent{i}@example.test", full_name=f"Agent {i:04d}", role=User.Role.AGENT)
        for i in range(n)
    )
    User.departments.through.objects.bulk_create(
        User.departments.through(user_id=agent.pk, department_id=support.pk) for agent in agents
    )
    from helpdesk.accounts.models import Absence

    Absence.objects.bulk_create(
        Absence(agent=agent, starts=now + timedelta(days=7), ends=now + timedelta(days=9))
        for agent in agents[::10]
    )
    Case.objects.bulk_create(
        Case(
            title=f"Case {i}", customer=customer, organization_id=customer.organization_id,
            status=Status.OPEN if i % 2 else Status.NEW, owner=agents[i] if i % 2 else None,
            owning_department=support if i % 2 else None, intake_department=support,
            created=now - timedelta(minutes=i), updated=now,
        )
        for i in range(n)
    )  # fmt: skip
    return n


@pytest.mark.parametrize("team", SIZES, indirect=True)
def test_team_view_query_count_is_flat(manager, team, django_assert_num_queries):
    client = signed_in(manager)

    with django_assert_num_queries(TEAM_QUERIES):
        response = client.get("/desk/team/")

    assert response.status_code == 200
    assert "Agent 0001" in response.text and "1 of 15" in response.text
    assert response.text.count('<li class="list-group-item') == min(team // 2, 50)
